// The Database class the shell drives, and the text of REAL values as that engine renders them.

/**
 * This package's Database. With `root`, the default VFS of this process becomes a node-fs kept
 * to that directory, so that no file outside it — FILE, ATTACH, VACUUM INTO — can be reached.
 * SQLITE_COMPONENT_SHELL_ENGINE=native swaps in better-sqlite3 (a dev dependency, same API) to
 * compare the two engines; it has no VFS to confine, and nothing but that comparison sets it.
 */
export async function loadDatabase({ root = null } = {}) {
  if (process.env.SQLITE_COMPONENT_SHELL_ENGINE === 'native') {
    return (await import('better-sqlite3')).default;
  }
  const { Database, NodeFsVfs, registerVfs } = await import('../src/node.js');
  // Under the default name, so that every Database of the shell (and what its SQL attaches)
  // goes through it without naming a VFS.
  if (root !== null) {
    let vfs;
    try {
      vfs = new NodeFsVfs({ root });
    } catch (e) {
      throw new Error(`cannot keep database files to ${root}: ${e.cause?.message ?? e.message}`);
    }
    registerVfs(vfs, { makeDefault: true });
  }
  return Database;
}

/**
 * Returns real(x): the text SQLite gives a REAL value (sqlite3_column_text), e.g. 1.0, 1.0e+20,
 * 0.30000000000000004, Inf. Since 3.43 that is "%!.17g" shortened by SQLite's own round-trip
 * test, which differs from JavaScript's shortest form (0.7999999999999999 is 0.79999999999999993
 * to SQLite), so the engine itself does the rendering. It runs on a private in-memory connection
 * because the user's connection is busy while a statement's rows are being read.
 */
export function realFormatter(Database) {
  let stmt = null;
  return (x) => {
    // "+ 0.0" keeps the value REAL even if an integral number were bound as an INTEGER.
    stmt ??= new Database(':memory:').prepare('SELECT CAST(? + 0.0 AS TEXT)').pluck();
    return stmt.get(x);
  };
}
