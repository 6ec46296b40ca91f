// Confinement: `new NodeFsVfs({ root })` keeps every file SQLite names — main databases, ATTACH,
// VACUUM INTO, journals, WAL and -shm, temporary files — inside one directory, symlinks followed.
// Whatever leads out is SQLITE_CANTOPEN, with the VFS's reason as the error's cause, and the
// database that asked goes on working. The shell keeps to its working directory the same way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, NodeFsVfs, SqliteError, VfsError, registerVfs } from '../src/node.js';
import { nativeLocks } from '../src/vfs/file-locks.js';
import {
  SQLITE_ACCESS_EXISTS,
  SQLITE_OPEN_CREATE,
  SQLITE_OPEN_MAIN_DB,
  SQLITE_OPEN_READWRITE,
} from '../src/vfs/constants.js';

const SHELL = fileURLToPath(new URL('../cli/shell.js', import.meta.url));
const VFS = 'confined-56';

let base; // holds root/ and outside/, side by side
let root; // the confined directory (a real path)
let outside; // a sibling of root, with a database that nothing confined may reach
let outsideDb;
let vfsLog = []; // what the confined VFS logged: [method, name, ...]

before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-56c-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  outsideDb = path.join(outside, 'x.db');
  const db = new Database(outsideDb); // the unconfined default
  db.exec("CREATE TABLE secret(v); INSERT INTO secret VALUES ('out of reach')");
  db.close();
  registerVfs(new NodeFsVfs({ root, name: VFS, log: (...args) => vfsLog.push(args) }));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

const open = (name, options) => new Database(name, { vfs: VFS, ...options });

// Every entry of outside/, with its size and modification time: nothing confined may change it.
function outsideState() {
  return fs.readdirSync(outside).sort().map((n) => {
    const s = fs.statSync(path.join(outside, n));
    return `${n} ${s.size} ${s.mtimeMs}`;
  });
}

// Runs fn and checks that it was refused as a confinement refusal whose reason matches `reason`,
// and that outside/ is as it was.
function assertRefused(fn, reason) {
  const was = outsideState();
  assert.throws(fn, (e) => {
    assert.ok(e instanceof SqliteError, `expected a SqliteError, got ${e}`);
    assert.equal(e.code, 'SQLITE_CANTOPEN');
    assert.match(e.message, /unable to open database/);
    assert.ok(e.cause instanceof VfsError, `expected the VFS's reason as the cause, got ${e.cause}`);
    assert.match(e.cause.message, reason);
    return true;
  });
  assert.deepEqual(outsideState(), was, 'outside/ was changed');
}

// The database still reads and writes after a refusal.
function assertUsable(db) {
  db.exec('CREATE TABLE IF NOT EXISTS usable(x)');
  const before = db.prepare('SELECT count(*) FROM usable').pluck().get();
  db.prepare('INSERT INTO usable VALUES (?)').run(before);
  assert.equal(db.prepare('SELECT count(*) FROM usable').pluck().get(), before + 1);
}

const outsideRoot = (shown) => new RegExp(`^${JSON.stringify(shown).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is outside the root ${root}$`);
const leadsOut = (shown, to) => new RegExp(`^"${shown}" leads to ${to}, outside the root ${root}$`);

// Records the path of every fs.openSync while fn runs (node-fs, shm-file.js and dir-lock.js all
// open through it).
function recordOpens(fn) {
  const real = fs.openSync;
  const opened = [];
  fs.openSync = (p, ...rest) => {
    opened.push(String(p));
    return real(p, ...rest);
  };
  try {
    fn();
  } finally {
    fs.openSync = real;
  }
  return opened;
}

const isInsideRoot = (p) => p === root || p.startsWith(`${root}${path.sep}`);

describe('NodeFsVfs root option', () => {
  it('refuses a root that is not an existing directory', () => {
    for (const bad of [path.join(base, 'missing'), outsideDb, '', 42]) {
      assert.throws(() => new NodeFsVfs({ root: bad }), { name: 'TypeError', message: /^Expected "root"/ });
    }
  });

  it('is the real path of the directory given; no root means unconfined', () => {
    const link = path.join(base, 'root-link-a');
    fs.symlinkSync(root, link);
    assert.equal(new NodeFsVfs({ root: link }).root, root);
    assert.equal(new NodeFsVfs().root, null);
  });

  it('resolves relative names against the root, not the working directory', () => {
    const name = `relative-${process.pid}.db`;
    const db = open(name);
    db.exec('CREATE TABLE t(x)');
    db.close();
    assert.ok(fs.existsSync(path.join(root, name)));
    assert.ok(!fs.existsSync(path.join(process.cwd(), name)));
  });

  it('opens absolute names inside the root, ".." that stays inside, and names that start with ".."', () => {
    for (const name of [path.join(root, 'absolute.db'), 'sub/../dotdot.db', '..x.db']) {
      const db = open(name);
      assertUsable(db);
      db.close();
    }
    for (const file of ['absolute.db', 'dotdot.db', '..x.db']) assert.ok(fs.existsSync(path.join(root, file)), file);
  });
});

describe('names that lead out of the root are refused', () => {
  let db;
  before(() => {
    db = open('main.db');
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
  });
  after(() => db.close());

  it('a main database reached through ".."', () => {
    assertRefused(() => open('../outside/x.db'), outsideRoot('../outside/x.db'));
  });

  it('a main database by an absolute path elsewhere, which is not created', () => {
    const fresh = path.join(outside, 'fresh.db');
    assertRefused(() => open(fresh), outsideRoot(fresh));
    assertRefused(() => open(path.join(os.tmpdir(), `56c-${process.pid}.db`)), /is outside the root/);
    assert.ok(!fs.existsSync(fresh));
  });

  it('ATTACH by ".." and by absolute path; the database goes on', () => {
    assertRefused(() => db.exec("ATTACH '../outside/x.db' AS o"), outsideRoot('../outside/x.db'));
    assertUsable(db);
    assertRefused(() => db.prepare('ATTACH ? AS o').run(outsideDb), outsideRoot(outsideDb));
    assertUsable(db);
    assert.deepEqual(db.prepare('PRAGMA database_list').all().map((d) => d.name), ['main']);
  });

  it('VACUUM INTO a file outside, which is not created; inside it works', () => {
    const target = path.join(outside, 'copy.db');
    assertRefused(() => db.prepare('VACUUM INTO ?').run(target), outsideRoot(target));
    assert.ok(!fs.existsSync(target));
    assertUsable(db);
    db.exec("VACUUM INTO 'copy-inside.db'");
    const copy = open('copy-inside.db', { readonly: true });
    assert.equal(copy.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    copy.close();
  });

  it('a symlink to a file outside', () => {
    fs.symlinkSync(outsideDb, path.join(root, 'file-link.db'));
    assertRefused(() => open('file-link.db'), leadsOut('file-link.db', outsideDb));
    assertRefused(() => db.exec("ATTACH 'file-link.db' AS o"), leadsOut('file-link.db', outsideDb));
    assertUsable(db);
  });

  it('a symlink to a directory outside, for files that exist and files that would be created', () => {
    fs.symlinkSync(outside, path.join(root, 'dir-link'));
    assertRefused(() => open('dir-link/x.db'), leadsOut('dir-link/x.db', outsideDb));
    assertRefused(() => db.exec("ATTACH 'dir-link/new.db' AS o"), leadsOut('dir-link/new.db', path.join(outside, 'new.db')));
    assert.ok(!fs.existsSync(path.join(outside, 'new.db')));
    assertUsable(db);
  });

  it('a dangling symlink that would create a file outside', () => {
    const target = path.join(outside, 'not-yet.db');
    fs.symlinkSync(target, path.join(root, 'dangling.db'));
    assertRefused(() => open('dangling.db'), leadsOut('dangling.db', target));
    assert.ok(!fs.existsSync(target));
  });

  it("a journal name that a symlink leads out of the root: refused, outside untouched, fine once it is gone", () => {
    const j = open('journaled.db');
    j.exec('CREATE TABLE t(x)');
    const link = path.join(root, 'journaled.db-journal');
    const target = path.join(outside, 'journal-target');
    fs.symlinkSync(target, link);
    assertRefused(() => j.exec('INSERT INTO t VALUES (1)'), leadsOut(link, target));
    assert.ok(!fs.existsSync(target));
    // An existing file outside posing as a hot journal is not read either.
    fs.unlinkSync(link);
    fs.symlinkSync(outsideDb, link);
    assertRefused(() => j.prepare('SELECT count(*) FROM t').get(), leadsOut(link, outsideDb));
    fs.unlinkSync(link);
    assertUsable(j);
    j.close();
  });

  it('a name with a NUL byte, at every method of the VFS', () => {
    const vfs = new NodeFsVfs({ root });
    const nul = 'a.db\0/../../outside/x.db';
    const calls = [
      () => vfs.fullPathname(nul),
      () => vfs.open(nul, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE),
      () => vfs.access(nul, SQLITE_ACCESS_EXISTS),
      () => vfs.delete(nul, false),
    ];
    for (const call of calls) {
      assert.throws(call, (e) => e instanceof VfsError && e.code === 14 && /contains a NUL byte/.test(e.message));
    }
    // Through Database the name is refused before it reaches SQLite (a TypeError), or reaches
    // no further than SQLite reads it: up to the NUL.
    const was = outsideState();
    try {
      open('nul.db\0/../../outside/x.db').close();
    } catch (e) {
      if (e instanceof TypeError) assert.match(e.message, /no null bytes/);
      else assert.equal(e.code, 'SQLITE_CANTOPEN');
    }
    assert.deepEqual(outsideState(), was);
  });

  it('delete and access of names outside, called directly; deleting a symlink removes only the link', () => {
    const vfs = new NodeFsVfs({ root });
    assert.throws(() => vfs.delete('../outside/x.db', false), (e) => e instanceof VfsError && e.code === 14);
    assert.throws(() => vfs.access('../outside/x.db', SQLITE_ACCESS_EXISTS), (e) => e instanceof VfsError && e.code === 14);
    assert.throws(() => vfs.access('file-link.db', SQLITE_ACCESS_EXISTS), /leads to/);
    assert.ok(fs.existsSync(outsideDb));
    const link = path.join(root, 'delete-me.db');
    fs.symlinkSync(outsideDb, link);
    vfs.delete('delete-me.db', true);
    assert.ok(!fs.existsSync(link) && fs.existsSync(outsideDb));
  });
});

// The check resolves a name, then the open uses what it resolved: what if the path changes in
// between? Here the check is made blind to symlinks (realpath answers the name unchanged), as if
// the symlink had been swapped in right after it.
describe('a symlink swapped in between the check and the open', () => {
  function withBlindRealpath(fn) {
    const real = fs.realpathSync.native;
    fs.realpathSync.native = (p) => String(p);
    try {
      fn();
    } finally {
      fs.realpathSync.native = real;
    }
  }

  it('in place of the file: not followed (O_NOFOLLOW)', () => {
    fs.symlinkSync(outsideDb, path.join(root, 'swapped.db'));
    withBlindRealpath(() => {
      assertRefused(() => open('swapped.db'), /swapped\.db became a symlink while it was being opened$/);
    });
  });

  it('in place of a directory: caught by where the descriptor landed', { skip: process.platform !== 'linux' && 'Linux only (/proc/self/fd)' }, () => {
    fs.symlinkSync(outside, path.join(root, 'swapped-dir'));
    withBlindRealpath(() => {
      assertRefused(() => open('swapped-dir/x.db'), new RegExp(`swapped-dir/x\\.db led outside the root ${root} while it was being opened$`));
    });
  });
});

describe('symlinks that stay inside the root are followed', () => {
  it('a file symlink: allowed, and the journal lands beside the real file', () => {
    fs.mkdirSync(path.join(root, 'inner'), { recursive: true });
    fs.symlinkSync('inner/real.db', path.join(root, 'alias.db'));
    const db = open('alias.db');
    db.pragma('journal_mode = PERSIST');
    assertUsable(db);
    db.close();
    assert.ok(fs.existsSync(path.join(root, 'inner', 'real.db-journal')));
    assert.ok(!fs.existsSync(path.join(root, 'alias.db-journal')));
  });

  it('a directory symlink, and ATTACH through it', () => {
    fs.mkdirSync(path.join(root, 'inner'), { recursive: true });
    fs.symlinkSync(path.join(root, 'inner'), path.join(root, 'inner-link'));
    const db = open('inner-link/d.db');
    assertUsable(db);
    db.exec("ATTACH 'inner-link/e.db' AS e; CREATE TABLE e.t(x)");
    db.close();
    assert.ok(fs.existsSync(path.join(root, 'inner', 'd.db')));
    assert.ok(fs.existsSync(path.join(root, 'inner', 'e.db')));
  });

  it('a root given as a symlink: names through the link or relative to it are inside', () => {
    const link = path.join(base, 'root-link-b');
    fs.symlinkSync(root, link);
    registerVfs(new NodeFsVfs({ root: link, name: 'via-link-56' }));
    const db = new Database('via-link.db', { vfs: 'via-link-56' });
    assertUsable(db);
    db.exec(`ATTACH '${path.join(link, 'via-link-2.db')}' AS two; CREATE TABLE two.t(x)`);
    assertRefused(() => db.exec("ATTACH '../outside/x.db' AS o"), outsideRoot('../outside/x.db'));
    assertUsable(db);
    db.close();
    assert.ok(fs.existsSync(path.join(root, 'via-link.db')));
    assert.ok(fs.existsSync(path.join(root, 'via-link-2.db')));
  });
});

describe('files SQLite makes itself stay inside the root', () => {
  it('rollback journals: every file opened lies inside, the journal among them', () => {
    fs.mkdirSync(path.join(root, 'journals'));
    const opened = recordOpens(() => {
      const db = open('journals/j.db');
      db.exec('CREATE TABLE t(x)');
      db.transaction(() => {
        for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(i);
      })();
      db.pragma('journal_mode = PERSIST');
      db.exec('DELETE FROM t WHERE x < 50');
      db.close();
    });
    assert.ok(opened.includes(path.join(root, 'journals', 'j.db-journal')), opened.join('\n'));
    assert.deepEqual(opened.filter((p) => !isInsideRoot(p)), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'journals')).sort(), ['j.db', 'j.db-journal']);
  });

  it('WAL and -shm', { skip: !nativeLocks && 'WAL across connections needs native locks' }, () => {
    fs.mkdirSync(path.join(root, 'wal'));
    const opened = recordOpens(() => {
      const db = open('wal/w.db');
      assert.equal(db.pragma('journal_mode = WAL', { simple: true }), 'wal');
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
      assert.deepEqual(fs.readdirSync(path.join(root, 'wal')).sort(), ['w.db', 'w.db-shm', 'w.db-wal']);
      db.close();
    });
    assert.ok(opened.includes(path.join(root, 'wal', 'w.db-shm')), opened.join('\n'));
    assert.deepEqual(opened.filter((p) => !isInsideRoot(p)), []);
  });

  it('a -shm name that a symlink leads out of the root', { skip: !nativeLocks && 'WAL across connections needs native locks' }, () => {
    fs.mkdirSync(path.join(root, 'shm'));
    const db = open('shm/s.db');
    db.pragma('journal_mode = WAL');
    db.close();
    const target = path.join(outside, 'shm-target');
    fs.symlinkSync(target, path.join(root, 'shm', 's.db-shm'));
    const again = open('shm/s.db');
    assertRefused(() => again.prepare('SELECT count(*) FROM sqlite_schema').get(),
      leadsOut(path.join(root, 'shm', 's.db-shm'), target));
    assert.ok(!fs.existsSync(target));
    again.close();
  });

  it("the fallback's lock directory, when a symlink leads it out", () => {
    const vfs = new NodeFsVfs({ root, locking: 'fallback', name: 'fallback-56' });
    registerVfs(vfs);
    const lockDir = path.join(outside, 'lock-target');
    fs.mkdirSync(lockDir);
    fs.symlinkSync(lockDir, path.join(root, 'fb.db.lock'));
    assertRefused(() => new Database('fb.db', { vfs: 'fallback-56' }), leadsOut(path.join(root, 'fb.db.lock'), lockDir));
    assert.deepEqual(fs.readdirSync(lockDir), []);
    fs.unlinkSync(path.join(root, 'fb.db.lock'));
    const db = new Database('fb.db', { vfs: 'fallback-56' });
    assertUsable(db);
    db.close();
  });

  it('temporary files (temp_store=FILE): made in the root, gone at once, none in os.tmpdir()', () => {
    const tmpBefore = new Set(fs.readdirSync(os.tmpdir()));
    vfsLog = [];
    let seenWhileOpen;
    const opened = recordOpens(() => {
      const db = open('temps.db');
      db.exec('PRAGMA temp_store = FILE; PRAGMA cache_size = 20; CREATE TABLE t(x, y)');
      db.exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
        INSERT INTO t SELECT i, randomblob(100) FROM c`);
      // A sort bigger than the cache spills; a temp table bigger than the cache is written out.
      const stmt = db.prepare('SELECT x FROM t ORDER BY y');
      const rows = stmt.iterate();
      rows.next(); // the sort is done and its spill file still open
      seenWhileOpen = fs.readdirSync(root).filter((n) => n.startsWith('.sqlite-component-'));
      rows.return();
      db.exec('CREATE TEMP TABLE tt AS SELECT * FROM t; VACUUM');
      db.close();
    });
    const temps = vfsLog.filter(([method, name]) => method === 'open' && name === null);
    assert.ok(temps.length >= 2, `expected temporary files, the VFS saw ${JSON.stringify(vfsLog)}`);
    assert.deepEqual(opened.filter((p) => !isInsideRoot(p)), []);
    assert.ok(opened.some((p) => path.basename(p).startsWith('.sqlite-component-')), opened.join('\n'));
    assert.deepEqual(seenWhileOpen, [], 'a temporary file was left visible in the root while open');
    assert.deepEqual(fs.readdirSync(root).filter((n) => n.startsWith('.sqlite-component-')), []);
    // node-fs names its unconfined temporary files sqlite-component-<24 hex digits>.
    const newTemps = fs.readdirSync(os.tmpdir()).filter((n) => !tmpBefore.has(n) && /^sqlite-component-[0-9a-f]{24}$/.test(n));
    assert.deepEqual(newTemps, []);
  });

  it('temporary files by default: none at all, this build keeps them in memory', () => {
    vfsLog = [];
    const db = open('temps-default.db');
    db.exec('PRAGMA cache_size = 20; CREATE TABLE t(x, y)');
    db.exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
      INSERT INTO t SELECT i, randomblob(100) FROM c`);
    assert.equal(db.prepare('SELECT x FROM t ORDER BY y').all().length, 20000);
    db.exec('CREATE TEMP TABLE tt AS SELECT * FROM t; VACUUM');
    db.close();
    assert.deepEqual(vfsLog.filter(([method, name]) => method === 'open' && name === null), []);
    assert.ok(vfsLog.some(([method]) => method === 'open'), 'the log saw nothing at all');
  });
});

describe('the shell', () => {
  it('under -root, refuses ATTACH outside it, says why, and goes on', () => {
    const r = spawnSync(process.execPath, [SHELL, '-root', '.', 'shell.db'], {
      cwd: root,
      input: "ATTACH '../outside/x.db' AS o;\nCREATE TABLE s(x);\nINSERT INTO s VALUES (1);\nSELECT count(*) FROM s;\n",
      encoding: 'utf8',
      env: { ...process.env, SQLITE_COMPONENT_SHELL_ENGINE: '' },
      timeout: 60_000,
    });
    assert.match(r.stderr, /^Runtime error near line 1: unable to open database: \.\.\/outside\/x\.db: "\.\.\/outside\/x\.db" is outside the root .* \(14\)\n$/);
    assert.equal(r.stdout, '1\n');
    assert.equal(r.status, 1);
  });
});
