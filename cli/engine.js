// The engine the shell drives: this package's Database, opened as sqlite3 opens its databases,
// and the text of REAL values as that engine renders them.
//
// The session talks to databases only through what this returns (`open`) and the Database API,
// synchronously; an engine that ran the Database in a worker thread and answered through
// Atomics.wait could take its place without the session changing.
import { unlinkSync } from 'node:fs';

const SQLITE_DBCONFIG_DEFENSIVE = 1010;

/**
 * The engine. `root`: a directory every database file must lie in (the default VFS of this
 * process becomes a node-fs kept to it), or null. `vfs`: the VFS databases open with.
 * `nofollow`, `readonly`: for every database the shell opens.
 * SQLITE_COMPONENT_SHELL_ENGINE=native swaps in better-sqlite3 (a dev dependency, same API) to
 * compare the two engines; it has no VFS to confine, and nothing but that comparison sets it.
 */
export async function createEngine({ root = null, vfs = null } = {}) {
  let Database;
  let vfsNames = ['node-fs', 'memory'];
  let defaultVfs = 'node-fs';
  let realRoot = null;
  if (process.env.SQLITE_COMPONENT_SHELL_ENGINE === 'native') {
    Database = (await import('better-sqlite3')).default;
    vfsNames = ['unix'];
    defaultVfs = 'unix';
  } else {
    const api = await import('../dist/node.js'); // src/node.js, bundled (scripts/build.sh)
    Database = api.Database;
    if (root !== null) {
      let confined;
      try {
        confined = new api.NodeFsVfs({ root });
      } catch (e) {
        throw new Error(`cannot keep database files to ${root}: ${e.cause?.message ?? e.message}`);
      }
      // Under the default name, so that every Database of the shell (and what its SQL attaches)
      // goes through it without naming a VFS.
      api.registerVfs(confined, { makeDefault: true });
      realRoot = confined.root;
    }
    if (vfs !== null) {
      if (!api.findVfs(vfs)) throw new Error(`no such VFS: "${vfs}"`);
      defaultVfs = vfs;
    }
  }
  return {
    Database,
    /** The real path of the directory database files are kept in, or null. */
    root: realRoot,
    /** Opens a database file (or an image, a Buffer) as sqlite3 does: no busy timeout, not defensive. */
    open(nameOrImage, { readonly = false, nofollow = false } = {}) {
      const options = { timeout: 0 };
      if (readonly) options.readonly = true;
      if (process.env.SQLITE_COMPONENT_SHELL_ENGINE !== 'native') {
        options.vfs = typeof nameOrImage === 'string' && nameOrImage !== ':memory:' && nameOrImage !== '' ? defaultVfs : undefined;
        if (nofollow) options.nofollow = true;
      }
      let db;
      try {
        db = new Database(nameOrImage, options);
      } catch (e) {
        // better-sqlite3's own check; SQLite would say it so.
        if (/directory does not exist/.test(e.message)) throw new Error('unable to open database file');
        throw e;
      }
      db.dbConfig?.(SQLITE_DBCONFIG_DEFENSIVE, false);
      return db;
    },
    /** Deletes a database file and its journal, for .open --new. */
    deleteDatabase(name) {
      for (const suffix of ['', '-journal', '-wal', '-shm']) {
        try {
          unlinkSync(`${name}${suffix}`);
        } catch {
          // Not there: nothing to delete.
        }
      }
    },
    vfsNames: () => vfsNames,
    real: realFormatter(Database),
  };
}

/**
 * Returns real(x): the text SQLite gives a REAL value (sqlite3_column_text), e.g. 1.0, 1.0e+20,
 * 0.30000000000000004, Inf. Since 3.43 that is "%!.17g" shortened by SQLite's own round-trip
 * test, which differs from JavaScript's shortest form (0.7999999999999999 is 0.79999999999999993
 * to SQLite), so the engine itself does the rendering. It runs on a private in-memory connection
 * because the user's connection is busy while a statement's rows are being read. Integral values
 * that print the same either way are done here, without the engine.
 */
export function realFormatter(Database) {
  let stmt = null;
  const cache = new Map();
  return (x) => {
    if (Number.isInteger(x) && Math.abs(x) < 1e15 && !Object.is(x, -0)) return `${x}.0`;
    let text = cache.get(x);
    if (text === undefined) {
      // "+ 0.0" keeps the value REAL even if an integral number were bound as an INTEGER.
      stmt ??= new Database(':memory:').prepare('SELECT CAST(? + 0.0 AS TEXT)').pluck();
      text = stmt.get(x);
      if (cache.size > 4096) cache.clear();
      cache.set(x, text);
    }
    return text;
  };
}
