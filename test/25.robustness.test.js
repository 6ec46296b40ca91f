// Bad input gets a clear error and loses nothing: after every failure below, the same database
// answers the next query and still holds its data.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Database, SqliteError } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

let db;
beforeEach(() => {
  db = new Database(':memory:', { vfs: 'memory' });
  db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0))');
  db.prepare('INSERT INTO t VALUES (1, ?, 5)').run('kept');
});
afterEach(() => db.close());

function stillUsable() {
  assert.deepEqual(db.prepare('SELECT id, v, n FROM t ORDER BY id').all(), [{ id: 1, v: 'kept', n: 5 }]);
}

function sqliteError(code) {
  return (e) => e instanceof SqliteError && e.code === code && typeof e.message === 'string' && e.message.length > 0;
}

describe('engine failures throw SqliteError and the database goes on', () => {
  const cases = [
    ['syntax error', () => db.prepare('SELEC 1'), 'SQLITE_ERROR'],
    ['unknown table', () => db.prepare('SELECT * FROM nowhere'), 'SQLITE_ERROR'],
    ['primary key', () => db.prepare('INSERT INTO t VALUES (1, ?, 0)').run('x'), 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['unique', () => db.prepare('INSERT INTO t VALUES (2, ?, 0)').run('kept'), 'SQLITE_CONSTRAINT_UNIQUE'],
    ['not null', () => db.prepare('INSERT INTO t VALUES (3, NULL, 0)').run(), 'SQLITE_CONSTRAINT_NOTNULL'],
    ['check', () => db.prepare('INSERT INTO t VALUES (4, ?, -1)').run('neg'), 'SQLITE_CONSTRAINT_CHECK'],
    ['error in exec mid-script', () => db.exec("INSERT INTO t VALUES (5, 'a', 1); INSERT INTO t VALUES (1, 'b', 1)"), 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['runtime error while stepping', () => db.prepare("SELECT abs(-9223372036854775807 - 1)").get(), 'SQLITE_ERROR'],
    ['oversize value from SQL', () => db.prepare('SELECT zeroblob(2000000000)').get(), 'SQLITE_TOOBIG'],
    // One recursion per wildcard: 20,000 would overflow the engine's stack, 2,000 must not.
    ['a GLOB pattern of 20,000 wildcards', () => db.prepare(`SELECT '${'a'.repeat(30000)}' GLOB '${'*a'.repeat(20000)}b'`).get(), 'SQLITE_ERROR'],
    ['a LIKE pattern of 20,000 wildcards', () => db.prepare(`SELECT '${'a'.repeat(30000)}' LIKE '${'%a'.repeat(20000)}b'`).get(), 'SQLITE_ERROR'],
  ];
  for (const [name, fail, code] of cases) {
    it(name, () => {
      const before = db.inTransaction;
      assert.throws(fail, sqliteError(code));
      assert.equal(db.inTransaction, before);
      if (name === 'error in exec mid-script') db.exec('DELETE FROM t WHERE id = 5'); // exec is not atomic
      stillUsable();
    });
  }

  it('a LIKE or GLOB pattern as long as the limit allows is matched, not a trap', () => {
    assert.equal(db.limit(8), 4000); // SQLITE_LIMIT_LIKE_PATTERN_LENGTH
    const text = 'a'.repeat(30000);
    assert.equal(db.prepare(`SELECT ? GLOB '${'*a'.repeat(1999)}b'`).pluck().get(text), 0);
    assert.equal(db.prepare(`SELECT ? LIKE '${'%a'.repeat(1999)}%'`).pluck().get(text), 1);
    assert.throws(() => db.prepare(`SELECT ? LIKE '${'%a'.repeat(2001)}%'`).get(text), { code: 'SQLITE_ERROR', message: 'LIKE or GLOB pattern too complex' });
    stillUsable();
  });

  it('oversize bound blob (over the length limit) is refused with better-sqlite3\'s RangeError', () => {
    const huge = new Uint8Array(0x1fffffe8 + 1); // untouched pages: no real memory behind it
    assert.throws(() => db.prepare('SELECT length(?)').get(huge), { name: 'RangeError', message: 'The bound string, buffer, or bigint is too big' });
    stillUsable();
  });

  it('a failed statement inside a transaction leaves the transaction open and usable', () => {
    db.exec('BEGIN');
    db.prepare('INSERT INTO t VALUES (2, ?, 1)').run('two');
    assert.throws(() => db.prepare('INSERT INTO t VALUES (2, ?, 1)').run('dup'), sqliteError('SQLITE_CONSTRAINT_PRIMARYKEY'));
    assert.equal(db.inTransaction, true);
    db.exec('ROLLBACK');
    stillUsable();
  });

  it('the same statement runs again after failing', () => {
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, 0)');
    assert.throws(() => insert.run(1, 'again'), sqliteError('SQLITE_CONSTRAINT_PRIMARYKEY'));
    assert.equal(insert.run(2, 'fine').changes, 1);
    db.prepare('DELETE FROM t WHERE id = 2').run();
    stillUsable();
  });
});

describe('JS misuse throws TypeError/RangeError and the database goes on', () => {
  const cases = [
    ['wrong parameter type', () => db.prepare('SELECT ?').get(true), TypeError],
    ['object that is not plain', () => db.prepare('SELECT ?').get(new Date()), TypeError],
    ['too few parameters', () => db.prepare('SELECT ?, ?').get(1), RangeError],
    ['too many parameters', () => db.prepare('SELECT ?').get(1, 2), RangeError],
    ['missing named parameter', () => db.prepare('SELECT :a').get({ b: 1 }), RangeError],
    ['bigint out of range', () => db.prepare('SELECT ?').get(2n ** 63n), RangeError],
    ['no statement', () => db.prepare('  -- nothing\n'), RangeError],
    ['two statements', () => db.prepare('SELECT 1; SELECT 2'), RangeError],
    ['get on a statement without rows', () => db.prepare('DELETE FROM t WHERE 0').get(), TypeError],
    ['sql not a string', () => db.prepare(42), TypeError],
  ];
  for (const [name, fail, type] of cases) {
    it(name, () => {
      assert.throws(fail, (e) => e instanceof type && /\S/.test(e.message));
      stillUsable();
    });
  }

  it('closed database and its statements refuse with TypeError', () => {
    const other = new Database(':memory:', { vfs: 'memory' });
    const statement = other.prepare('SELECT 1');
    other.close();
    assert.throws(() => statement.get(), { name: 'TypeError', message: 'The database connection is not open' });
    assert.throws(() => other.prepare('SELECT 1'), { name: 'TypeError', message: 'The database connection is not open' });
    assert.throws(() => other.exec('SELECT 1'), { name: 'TypeError' });
    other.close(); // idempotent
    stillUsable();
  });
});

describe('damaged files', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-component-damaged-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a file that is not a database gives SQLITE_NOTADB, as native SQLite does', () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const ours = new Database(file, { vfs: 'node-fs' });
    assert.throws(() => ours.prepare('SELECT * FROM sqlite_schema').all(), sqliteError('SQLITE_NOTADB'));
    ours.close();
    const native = new NativeDatabase(file);
    assert.throws(() => native.prepare('SELECT * FROM sqlite_schema').all(), (e) => e.code === 'SQLITE_NOTADB');
    native.close();
    assert.equal(readFileSync(file).every((b) => b === 0x5a), true, 'the file was not modified');
  });

  it('a truncated database reports the same error code as native SQLite', () => {
    const file = join(dir, 'truncated.db');
    const native = new NativeDatabase(file);
    native.exec('CREATE TABLE big(x)');
    const insert = native.prepare('INSERT INTO big VALUES (?)');
    native.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('row '.repeat(50) + i);
    })();
    native.close();
    truncateSync(file, 4096 * 10);

    const codeOf = (open) => {
      const handle = open();
      try {
        handle.prepare('SELECT count(*), sum(length(x)) FROM big').get();
        return 'no error';
      } catch (e) {
        return e.code;
      } finally {
        handle.close();
      }
    };
    const ours = codeOf(() => new Database(file, { vfs: 'node-fs' }));
    assert.match(ours, /^SQLITE_CORRUPT/);
    assert.equal(ours, codeOf(() => new NativeDatabase(file)));
  });

  it('a database in a missing directory is refused with better-sqlite3\'s TypeError, and nothing is made', () => {
    const expected = { name: 'TypeError', message: 'Cannot open database because the directory does not exist' };
    assert.throws(() => new Database(join(dir, 'no', 'such', 'dir.db'), { vfs: 'node-fs' }), expected);
    assert.throws(() => new NativeDatabase(join(dir, 'no', 'such', 'dir.db')), expected);
    assert.ok(!existsSync(join(dir, 'no')));
  });
});

describe('a failing VFS', () => {
  it('an exception in the VFS becomes IOERR_WRITE with the exception as its cause, and the connection survives it', async () => {
    const { registerVfs, MemoryVfs } = await import('../src/node.js');
    let failWrites = false;
    class FlakyVfs extends MemoryVfs {
      open(path, flags) {
        const opened = super.open(path, flags);
        const write = opened.file.write.bind(opened.file);
        opened.file.write = (offset, data) => {
          if (failWrites) throw new Error('disk on fire');
          write(offset, data);
        };
        return opened;
      }
    }
    const flaky = new FlakyVfs();
    Object.defineProperty(flaky, 'name', { value: 'flaky-memory' });
    registerVfs(flaky);
    const own = new Database('flaky.db', { vfs: 'flaky-memory' });
    own.exec('CREATE TABLE k(x); INSERT INTO k VALUES (1)');
    failWrites = true;
    assert.throws(
      () => own.exec(`INSERT INTO k VALUES (randomblob(100000))`),
      (e) =>
        e instanceof SqliteError &&
        e.code === 'SQLITE_IOERR_WRITE' &&
        e.errcode === 778 &&
        e.message === 'disk I/O error' &&
        e.cause instanceof Error &&
        e.cause.message === 'disk on fire',
    );
    failWrites = false;
    assert.deepEqual(own.prepare('SELECT x FROM k').pluck().all(), [1]);
    own.exec('INSERT INTO k VALUES (2)');
    assert.equal(own.prepare('SELECT count(*) FROM k').pluck().get(), 2);
    own.close();
  });
});

describe('results larger than memory', () => {
  it('fail with SQLITE_NOMEM instead of trapping, and the database goes on', () => {
    const big = new Database(':memory:', { vfs: 'memory' });
    assert.throws(
      // Each value within the length limit, together more than a wasm32 memory can hold.
      () => big.prepare('SELECT zeroblob(500000000) FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9))').all(),
      (e) => e instanceof SqliteError && e.code === 'SQLITE_NOMEM',
    );
    assert.equal(big.prepare('SELECT 1 + 1').pluck().get(), 2);
    big.close();
  });
});
