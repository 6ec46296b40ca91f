// Database: opening (filename, options, VFS), its properties and its methods — exec, pragma,
// transaction, serialize, close, defaultSafeIntegers — and loading through require().
// better-sqlite3 (native, same SQLite) is the oracle wherever the two are meant to agree.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, MemoryVfs, SqliteError } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const packageDir = fileURLToPath(new URL('../', import.meta.url));

// What a call did, in a form two implementations can be compared by.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.constructor.name, message: e.message, code: e.code } };
  }
}

const sqliteError = (code) => (e) => e instanceof SqliteError && e.code === code;
const notOpen = { name: 'TypeError', message: 'The database connection is not open' };
const busy = { name: 'TypeError', message: 'This database connection is busy executing a query' };

let dir;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-component-10-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('new Database()', () => {
  it('takes a path, "", ":memory:", or nothing; null counts as nothing', () => {
    const file = join(dir, 'a.db');
    for (const [args, name, memory] of [
      [[file], file, false],
      [[''], '', true],
      [[':memory:'], ':memory:', true],
      [[], '', true],
      [[undefined], '', true],
      [[null], '', true],
      [[null, null], '', true],
      [[':memory:', undefined], ':memory:', true],
    ]) {
      const db = new Database(...args);
      assert.equal(db.name, name);
      assert.equal(db.memory, memory);
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
      assert.equal(db.prepare('SELECT x FROM t').pluck().get(), 1);
      db.close();
      const native = new NativeDatabase(...args);
      assert.equal(native.name, db.name, 'the name better-sqlite3 reports for the same arguments');
      assert.equal(native.memory, db.memory);
      native.close();
    }
    assert.equal(existsSync(file), true);
  });

  it('refuses a filename that is not a string, like better-sqlite3', () => {
    for (const filename of [5, {}, [], true, 1n, Symbol('x')]) {
      const ours = outcome(() => new Database(filename));
      assert.deepEqual(ours, { error: { type: 'TypeError', message: 'Expected first argument to be a string', code: undefined } });
      // better-sqlite3 13 opens a number as a file descriptor (with a journalFd); ours refuses
      // it, as 12.9 does.
      if (typeof filename === 'number' && typeof NativeDatabase.prototype.explain === 'function') continue;
      assert.deepEqual(ours, outcome(() => new NativeDatabase(filename)));
    }
  });

  it('validates options with the same TypeError/RangeError as better-sqlite3', () => {
    const cases = [
      5,
      'readonly',
      { readonly: 'yes' },
      { readonly: 1 },
      { fileMustExist: 'no' },
      { timeout: -1 },
      { timeout: 1.5 },
      { timeout: '100' },
      { timeout: NaN },
      { timeout: 2 ** 31 },
    ];
    for (const options of cases) {
      const ours = outcome(() => new Database(':memory:', options));
      const native = outcome(() => new NativeDatabase(':memory:', options));
      assert.ok(native.error, `better-sqlite3 refuses ${JSON.stringify(options)}`);
      assert.deepEqual(ours, native, JSON.stringify(options));
      assert.match(ours.error.message, /^Expected|cannot be greater/);
    }
  });

  it('timeout: a write kept out by a lock sleeps about that long, then fails with SQLITE_BUSY; 0 fails at once', (t) => {
    for (const timeout of [0, 1, 5000, 0x7fffffff]) new Database(':memory:', { timeout }).close();
    // CPU time of this thread alone, where Linux tells it (in 10 ms ticks): the process total
    // would also count V8 compiling the fresh wasm module in the background meanwhile.
    const threadCpuMs = () => {
      try {
        const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    };
    const file = join(dir, 'timeout.db');
    const holder = new Database(file);
    holder.exec('CREATE TABLE t(x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
    for (const timeout of [300, 0]) {
      const waiter = new Database(file, { timeout });
      const cpu = threadCpuMs();
      const start = performance.now();
      assert.throws(() => waiter.prepare('INSERT INTO t VALUES (2)').run(), sqliteError('SQLITE_BUSY'));
      const wall = performance.now() - start;
      const used = threadCpuMs() - cpu;
      t.diagnostic(`timeout ${timeout}: SQLITE_BUSY after ${wall.toFixed(0)} ms, ${used} ms CPU`);
      if (timeout) {
        assert.ok(wall >= timeout && wall < 1500, `waited ${wall.toFixed(0)} ms`);
        assert.ok(used < wall / 4, `asleep, not spinning: ${used} ms of CPU in ${wall.toFixed(0)} ms`);
      } else assert.ok(wall < 100, `no wait: ${wall.toFixed(0)} ms`);
      waiter.close();
    }
    holder.exec('COMMIT');
    holder.close();
  });

  it('refuses readonly for in-memory and temporary databases', () => {
    for (const filename of ['', ':memory:']) {
      const ours = outcome(() => new Database(filename, { readonly: true }));
      assert.deepEqual(ours, outcome(() => new NativeDatabase(filename, { readonly: true })));
      assert.deepEqual(ours.error, { type: 'TypeError', message: 'In-memory/temporary databases cannot be readonly', code: undefined });
    }
  });

  it('readonly opens an existing file: reads work, writes fail with SQLITE_READONLY', () => {
    const file = join(dir, 'ro.db');
    const native = new NativeDatabase(file);
    native.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)');
    native.close();
    const db = new Database(file, { readonly: true });
    assert.equal(db.readonly, true);
    assert.deepEqual(db.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2]);
    assert.throws(() => db.exec('INSERT INTO t VALUES (3)'), sqliteError('SQLITE_READONLY'));
    assert.throws(() => db.pragma('user_version = 1'), sqliteError('SQLITE_READONLY'));
    assert.deepEqual(db.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2]);
    db.close();
  });

  it('readonly on a missing file fails with SQLITE_CANTOPEN and creates nothing', () => {
    const file = join(dir, 'missing.db');
    assert.throws(() => new Database(file, { readonly: true }), sqliteError('SQLITE_CANTOPEN'));
    assert.throws(() => new NativeDatabase(file, { readonly: true }), (e) => e.code === 'SQLITE_CANTOPEN');
    assert.equal(existsSync(file), false);
  });

  it('fileMustExist: a missing file is SQLITE_CANTOPEN, an existing one opens', () => {
    const file = join(dir, 'must.db');
    assert.throws(() => new Database(file, { fileMustExist: true }), (e) => {
      assert.ok(e instanceof SqliteError);
      assert.equal(e.code, 'SQLITE_CANTOPEN');
      assert.equal(e.message, outcome(() => new NativeDatabase(file, { fileMustExist: true })).error.message);
      return true;
    });
    assert.equal(existsSync(file), false);
    new Database(file).exec('CREATE TABLE t(x)').close();
    const db = new Database(file, { fileMustExist: true });
    assert.deepEqual(db.prepare('SELECT name FROM sqlite_schema').pluck().all(), ['t']);
    db.close();
  });

  it('vfs "node-fs" writes a real file that better-sqlite3 reads', () => {
    const file = join(dir, 'real.db');
    const db = new Database(file, { vfs: 'node-fs' });
    assert.equal(db.vfs, 'node-fs');
    db.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('on disk')");
    db.close();
    assert.equal(existsSync(file), true);
    const native = new NativeDatabase(file, { readonly: true });
    assert.equal(native.prepare('SELECT x FROM t').pluck().get(), 'on disk');
    native.close();
  });

  it('vfs "memory" keeps a named file in memory, shared by every connection, and no disk file', () => {
    const name = join(dir, 'in-memory.db');
    try {
      const a = new Database(name, { vfs: 'memory' });
      assert.equal(a.vfs, 'memory');
      assert.equal(a.memory, false, 'a named file, though the VFS keeps it in memory');
      a.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('shared')");
      const b = new Database(name, { vfs: 'memory', fileMustExist: true });
      assert.equal(b.prepare('SELECT x FROM t').pluck().get(), 'shared');
      a.close();
      b.close();
      assert.equal(existsSync(name), false);
      const c = new Database(name, { vfs: 'memory', fileMustExist: true });
      assert.equal(c.prepare('SELECT x FROM t').pluck().get(), 'shared', 'the file outlives its connections');
      c.close();
    } finally {
      MemoryVfs.files.delete(name);
    }
    assert.throws(() => new Database(name, { vfs: 'memory', fileMustExist: true }), sqliteError('SQLITE_CANTOPEN'));
  });

  it('vfs that is not registered, or not a string, is a TypeError', () => {
    for (const vfs of ['no-such-vfs', '', 5, {}]) {
      assert.throws(() => new Database(join(dir, 'x.db'), { vfs }), { name: 'TypeError', message: /^Expected the "vfs" option/ });
    }
    assert.equal(existsSync(join(dir, 'x.db')), false);
  });
});

describe('instances', () => {
  it('one that held 60 MB is handed on too (memory grown ahead of use is not counted), one of 200 MB is not', async () => {
    const { idleInstanceCount } = await import('../src/component.js');
    for (const [megabytes, reused] of [[60, true], [200, false]]) {
      const db = new Database(':memory:');
      db.exec(`CREATE TABLE t(x); WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT ${megabytes}) INSERT INTO t SELECT randomblob(1000000) FROM c`);
      const before = idleInstanceCount();
      db.close();
      assert.equal(idleInstanceCount() === before + 1, reused, `${megabytes} MB`);
      new Database(':memory:').close(); // takes an idle instance, if any, and hands it back
    }
  });

  it('a closed Database hands its instance to the next one, with nothing of its connection left', async () => {
    const { idleInstanceCount } = await import('../src/component.js');
    const first = new Database('reused', { vfs: 'memory' });
    first.exec('PRAGMA foreign_keys = OFF; PRAGMA cache_size = 7; CREATE TEMP TABLE scratch(x); CREATE TABLE kept(x)');
    const before = idleInstanceCount();
    first.close();
    assert.equal(idleInstanceCount(), before + 1, 'the instance waits for the next Database');
    const second = new Database(':memory:');
    assert.equal(idleInstanceCount(), before, 'and the next Database takes it');
    assert.equal(second.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(second.pragma('cache_size', { simple: true }), -16000);
    assert.deepEqual(second.prepare("SELECT name FROM sqlite_temp_master").all(), []);
    assert.deepEqual(second.prepare("SELECT name FROM sqlite_master").all(), []);
    assert.equal(second.prepare('SELECT 1 AS one').get().one, 1);
    second.close();
    const third = new Database('reused', { vfs: 'memory' });
    assert.deepEqual(third.prepare("SELECT name FROM sqlite_master").pluck().all(), ['kept']);
    third.close();
    MemoryVfs.files.delete('reused');
  });

  it('an instance whose Database failed to open is clean and reused; a statement of the old Database stays closed', async () => {
    const { idleInstanceCount } = await import('../src/component.js');
    const old = new Database(':memory:');
    const statement = old.prepare('SELECT 1');
    old.close();
    const before = idleInstanceCount();
    assert.throws(() => new Database('missing-file', { vfs: 'memory', fileMustExist: true }), { code: 'SQLITE_CANTOPEN' });
    assert.equal(idleInstanceCount(), before, 'the failed open handed its instance back');
    const next = new Database(':memory:');
    assert.throws(() => statement.get(), { name: 'TypeError', message: 'The database connection is not open' });
    assert.equal(next.prepare('SELECT 2 AS two').get().two, 2);
    next.close();
  });
});

describe('Database.ready() and Database.open()', () => {
  it('in Node, ready() resolves at once and open() resolves to an open Database on each VFS', async () => {
    await Database.ready();
    const dir = mkdtempSync(join(tmpdir(), 'open-'));
    const onFile = await Database.open(join(dir, 'a.db'));
    onFile.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const inMemory = await Database.open(':memory:', { vfs: 'memory' });
    assert.equal(onFile.vfs, 'node-fs');
    assert.equal(inMemory.prepare('SELECT 2 AS x').get().x, 2);
    onFile.close();
    inMemory.close();
    const again = await Database.open(join(dir, 'a.db'), { fileMustExist: true });
    assert.equal(again.prepare('SELECT x FROM t').pluck().get(), 1);
    again.close();
    await assert.rejects(Database.open(join(dir, 'missing.db'), { fileMustExist: true }), { code: 'SQLITE_CANTOPEN' });
    await assert.rejects(Database.open(':memory:', { vfs: 'nope' }), { name: 'TypeError' });
    rmSync(dir, { recursive: true });
  });
});

describe('Database properties', () => {
  it('name, open, memory, readonly, inTransaction follow the connection', () => {
    const file = join(dir, 'props.db');
    const db = new Database(file);
    assert.deepEqual([db.name, db.open, db.memory, db.readonly, db.inTransaction], [file, true, false, false, false]);
    db.exec('BEGIN');
    assert.equal(db.inTransaction, true);
    db.exec('CREATE TABLE t(x)');
    db.exec('COMMIT');
    assert.equal(db.inTransaction, false);
    db.exec('BEGIN');
    db.close();
    assert.equal(db.open, false);
    assert.equal(db.inTransaction, false, 'closing ends the transaction');
    const ro = new Database(file, { readonly: true });
    assert.deepEqual([ro.open, ro.readonly, ro.memory], [true, true, false]);
    ro.close();
  });

  it('cannot be assigned, as in better-sqlite3', () => {
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    for (const key of ['name', 'open', 'memory', 'readonly', 'inTransaction']) {
      const ours = outcome(() => {
        db[key] = 'changed';
      });
      assert.equal(ours.error?.type, outcome(() => {
        native[key] = 'changed';
      }).error?.type, key);
      assert.notEqual(db[key], 'changed');
    }
    db.close();
    native.close();
  });
});

describe('Database#exec', () => {
  let db;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('runs several statements in order and returns the database', () => {
    const result = db.exec(`
      CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT);
      INSERT INTO t(x) VALUES ('a'), ('b');
      -- a comment between statements
      UPDATE t SET x = x || '!' WHERE id = 2;
      SELECT * FROM t; /* rows of a query are dropped */
      DELETE FROM t WHERE id = 1;;
    `);
    assert.equal(result, db);
    assert.deepEqual(db.prepare('SELECT id, x FROM t').all(), [{ id: 2, x: 'b!' }]);
  });

  it('accepts an empty script, and refuses a non-string', () => {
    assert.equal(db.exec(''), db);
    assert.equal(db.exec('  -- nothing\n'), db);
    assert.throws(() => db.exec(), { name: 'TypeError', message: 'Expected first argument to be a string' });
    assert.throws(() => db.exec(1), { name: 'TypeError', message: 'Expected first argument to be a string' });
  });

  it('stops at the first failing statement, keeping what ran before, like better-sqlite3', () => {
    const script = 'CREATE TABLE e(x); INSERT INTO e VALUES (1); INSERT INTO nowhere VALUES (2); INSERT INTO e VALUES (3)';
    const native = new NativeDatabase(':memory:');
    const expected = outcome(() => native.exec(script)).error;
    const rows = native.prepare('SELECT x FROM e').pluck().all();
    native.close();
    assert.deepEqual(outcome(() => db.exec(script)).error, expected);
    assert.deepEqual(db.prepare('SELECT x FROM e').pluck().all(), rows);
    assert.deepEqual(rows, [1]);
  });

  it('can drive transactions itself', () => {
    db.exec('CREATE TABLE t(x); BEGIN; INSERT INTO t VALUES (1)');
    assert.equal(db.inTransaction, true);
    db.exec('ROLLBACK');
    assert.equal(db.inTransaction, false);
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 0);
  });
});

describe('Database#pragma', () => {
  let db;
  let native;
  beforeEach(() => {
    db = new Database(':memory:');
    native = new NativeDatabase(':memory:');
    for (const d of [db, native]) d.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  });
  afterEach(() => {
    db.close();
    native.close();
  });

  it('returns rows, or with { simple: true } the first column of the first row', () => {
    for (const [source, options] of [
      ['user_version = 7', undefined],
      ['user_version', undefined],
      ['user_version', { simple: true }],
      ['user_version = 8', { simple: true }],
      ['user_version', null],
      ['table_info(t)', undefined],
      ['table_info(t)', { simple: true }],
      ['foreign_keys', { simple: true }],
      ['journal_mode', undefined],
      ['no_such_pragma', undefined],
      ['no_such_pragma', { simple: true }],
    ]) {
      assert.deepEqual(outcome(() => db.pragma(source, options)), outcome(() => native.pragma(source, options)), source);
    }
    assert.equal(db.pragma('user_version', { simple: true }), 8);
    assert.deepEqual(db.pragma('user_version'), [{ user_version: 8 }]);
  });

  it('foreign keys are on by default, as in better-sqlite3', () => {
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  });

  it('validates its arguments like better-sqlite3', () => {
    for (const args of [[], [5], ['user_version', 5], ['user_version', { simple: 'yes' }], ['user_version; SELECT 1']]) {
      const ours = outcome(() => db.pragma(...args));
      assert.ok(ours.error, JSON.stringify(args));
      assert.deepEqual(ours, outcome(() => native.pragma(...args)), JSON.stringify(args));
    }
  });

  it('follows defaultSafeIntegers', () => {
    db.pragma('user_version = 3');
    db.defaultSafeIntegers();
    assert.equal(db.pragma('user_version', { simple: true }), 3n);
  });
});

describe('Database#transaction', () => {
  let db;
  let insert;
  const names = () => db.prepare('SELECT name FROM t ORDER BY id').pluck().all();
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)');
    insert = db.prepare('INSERT INTO t(name) VALUES (?)');
  });
  afterEach(() => db.close());

  it('commits, passing this, the arguments and the return value through', () => {
    const addAll = db.transaction(function (prefix, list) {
      assert.equal(db.inTransaction, true);
      for (const name of list) insert.run(prefix + name);
      return { self: this, count: list.length };
    });
    const self = { tag: 'this' };
    assert.deepEqual(addAll.call(self, 'n-', ['a', 'b']), { self, count: 2 });
    assert.equal(db.inTransaction, false);
    assert.deepEqual(names(), ['n-a', 'n-b']);
  });

  it('rolls back when the function throws, and rethrows the same error', () => {
    const failure = new Error('stop');
    const add = db.transaction(() => {
      insert.run('kept?');
      throw failure;
    });
    assert.throws(add, (e) => e === failure);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(names(), []);
  });

  it('rolls back when a statement fails, with the SqliteError passed on', () => {
    insert.run('dup');
    const add = db.transaction(() => {
      insert.run('new');
      insert.run('dup');
    });
    assert.throws(add, sqliteError('SQLITE_CONSTRAINT_UNIQUE'));
    assert.equal(db.inTransaction, false);
    assert.deepEqual(names(), ['dup']);
  });

  it('nests through savepoints: an inner failure caught by the outer undoes only the inner work', () => {
    const inner = db.transaction((name) => {
      insert.run(name);
      if (name === 'bad') throw new Error('inner fails');
    });
    db.transaction(() => {
      insert.run('outer');
      inner('good');
      assert.throws(() => inner('bad'), /inner fails/);
      assert.equal(db.inTransaction, true);
      insert.run('after');
    })();
    assert.deepEqual(names(), ['outer', 'good', 'after']);
  });

  it('nests three deep; an outer failure undoes the committed inner levels too', () => {
    const level = db.transaction((n) => {
      insert.run(`level ${n}`);
      if (n < 3) level(n + 1);
      if (n === 1) throw new Error('outermost fails');
    });
    assert.throws(() => level(1), /outermost fails/);
    assert.deepEqual(names(), []);
    assert.equal(db.inTransaction, false);
  });

  it('inside a transaction begun by hand, nests rather than committing it', () => {
    db.exec('BEGIN');
    db.transaction(() => insert.run('inside'))();
    assert.equal(db.inTransaction, true);
    db.exec('ROLLBACK');
    assert.deepEqual(names(), []);
  });

  it('a COMMIT that fails rolls back and throws, like better-sqlite3', () => {
    const setup = `CREATE TABLE parent(id INTEGER PRIMARY KEY);
      CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`;
    const native = new NativeDatabase(':memory:');
    for (const d of [db, native]) d.exec(setup);
    const run = (d) =>
      outcome(() => d.transaction(() => d.prepare('INSERT INTO child VALUES (42)').run())());
    const ours = run(db);
    assert.deepEqual(ours, run(native));
    assert.equal(ours.error.code, 'SQLITE_CONSTRAINT_FOREIGNKEY');
    assert.equal(db.inTransaction, false);
    assert.equal(db.prepare('SELECT count(*) FROM child').pluck().get(), 0);
    native.close();
  });

  it('a function that ends the transaction itself gets the same error as in better-sqlite3', () => {
    const native = new NativeDatabase(':memory:');
    native.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)');
    const run = (d) =>
      outcome(() => d.transaction(() => {
        d.prepare("INSERT INTO t(name) VALUES ('x')").run();
        d.exec('ROLLBACK');
      })());
    assert.deepEqual(run(db), run(native));
    assert.equal(db.inTransaction, false);
    assert.deepEqual(names(), []);
    native.close();
  });

  it('has .deferred, .immediate, .exclusive and .database on every variant', () => {
    const fn = db.transaction(() => db.inTransaction);
    for (const variant of [fn, fn.deferred, fn.immediate, fn.exclusive]) {
      assert.equal(typeof variant, 'function');
      assert.equal(variant.database, db);
      assert.equal(variant.deferred, fn.deferred);
      assert.equal(variant.immediate, fn.immediate);
      assert.equal(variant.exclusive, fn.exclusive);
      assert.equal(variant(), true);
      assert.equal(db.inTransaction, false);
    }
  });

  it('.deferred takes no lock until needed, .immediate a write lock, .exclusive keeps readers out', () => {
    const file = join(dir, 'locks.db');
    const mine = new Database(file);
    mine.exec('CREATE TABLE t(x); INSERT INTO t VALUES (0)');
    const other = new Database(file, { timeout: 0 });
    const otherWrites = () => outcome(() => other.prepare('INSERT INTO t VALUES (1)').run().changes);
    const otherReads = () => outcome(() => other.prepare('SELECT count(*) FROM t').pluck().get());
    const busyOutcome = { error: { type: 'SqliteError', message: 'database is locked', code: 'SQLITE_BUSY' } };

    mine.transaction(() => {
      assert.deepEqual(otherWrites(), { value: 1 }, 'deferred: nothing locked yet');
    }).deferred();
    mine.transaction(() => {
      assert.deepEqual(otherWrites(), busyOutcome, 'immediate: writers wait');
      assert.deepEqual(otherReads(), { value: 2 }, 'immediate: readers go on');
    }).immediate();
    mine.transaction(() => {
      assert.deepEqual(otherWrites(), busyOutcome, 'exclusive: writers wait');
      assert.deepEqual(otherReads(), busyOutcome, 'exclusive: readers wait');
    }).exclusive();
    assert.deepEqual(otherWrites(), { value: 1 }, 'every lock was released');
    other.close();
    mine.close();
  });

  it('refuses an async function when it is wrapped', () => {
    assert.throws(() => db.transaction(async () => insert.run('x')), { name: 'TypeError', message: /async/ });
    assert.equal(db.inTransaction, false);
  });

  it('refuses a function that returns a promise or thenable, and rolls its work back', () => {
    for (const result of [Promise.resolve(1), { then() {} }]) {
      const fn = db.transaction(() => {
        insert.run('from a promise');
        return result;
      });
      assert.throws(fn, { name: 'TypeError', message: /cannot return a promise/ });
      assert.equal(db.inTransaction, false);
      assert.deepEqual(names(), []);
    }
  });

  it('refuses something that is not a function', () => {
    for (const value of [undefined, null, 'BEGIN', {}]) {
      assert.throws(() => db.transaction(value), { name: 'TypeError', message: 'Expected first argument to be a function' });
    }
  });

  it('on a closed database throws when called', () => {
    const fn = db.transaction(() => 1);
    db.close();
    assert.throws(fn, notOpen);
    db = new Database(':memory:'); // for afterEach
  });
});

describe('Database#serialize', () => {
  it('returns a Buffer image that better-sqlite3 opens with new Database(buffer)', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, v); CREATE INDEX tv ON t(v);
             INSERT INTO t(v) VALUES (1), ('two'), (x'03'), (4.5), (NULL);`);
    db.prepare('INSERT INTO t(v) VALUES (?)').run('x'.repeat(10000)); // overflow pages
    db.pragma('user_version = 42');
    const image = db.serialize();
    assert.ok(Buffer.isBuffer(image));
    assert.equal(image.length % 4096, 0);
    assert.equal(image.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    const native = new NativeDatabase(image);
    const query = 'SELECT id, v, typeof(v) AS type FROM t ORDER BY id';
    assert.deepEqual(native.prepare(query).all(), db.prepare(query).all());
    assert.equal(native.pragma('user_version', { simple: true }), 42);
    assert.equal(native.pragma('integrity_check', { simple: true }), 'ok');
    native.close();
    db.close();
  });

  it('of a file database and of an attached one', () => {
    const file = join(dir, 'main.db');
    const db = new Database(file);
    db.exec("CREATE TABLE m(x); INSERT INTO m VALUES ('main')");
    db.exec(`ATTACH '${join(dir, 'aux.db')}' AS aux; CREATE TABLE aux.a(y); INSERT INTO aux.a VALUES ('aux')`);
    const main = new NativeDatabase(db.serialize());
    assert.equal(main.prepare('SELECT x FROM m').pluck().get(), 'main');
    main.close();
    const aux = new NativeDatabase(db.serialize({ attached: 'aux' }));
    assert.equal(aux.prepare('SELECT y FROM a').pluck().get(), 'aux');
    aux.close();
    db.close();
  });

  it('validates its options like better-sqlite3', () => {
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    for (const options of [5, 'main', { attached: 5 }, { attached: '' }, null, undefined]) {
      const ours = outcome(() => db.serialize(options)?.length);
      assert.deepEqual(ours, outcome(() => native.serialize(options)?.length), String(options));
    }
    assert.throws(() => db.serialize({ attached: 'nowhere' }), sqliteError('SQLITE_ERROR'));
    db.close();
    native.close();
    assert.throws(() => db.serialize(), notOpen);
  });
});

describe('Database#close', () => {
  it('returns the database, and is idempotent', () => {
    const db = new Database(':memory:');
    assert.equal(db.close(), db);
    assert.equal(db.close(), db);
    assert.equal(db.open, false);
  });

  it('makes the database and its statements throw "The database connection is not open"', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t(x)');
    const select = db.prepare('SELECT x FROM t');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.close();
    for (const call of [
      () => select.get(),
      () => select.all(),
      () => select.iterate(),
      () => select.columns(),
      () => select.bind(),
      () => insert.run(1),
      () => insert.run(true), // the closed database is reported before the bad argument
      () => db.prepare('SELECT 1'),
      () => db.exec('SELECT 1'),
      () => db.pragma('user_version'),
      () => db.serialize(),
      () => db.transaction(() => {})(),
    ]) {
      assert.throws(call, notOpen, call.toString());
    }
    assert.equal(select.source, 'SELECT x FROM t', 'properties stay readable');
  });

  it('is refused while a statement is iterating, then allowed once it ends', () => {
    const db = new Database(':memory:');
    const rows = db.prepare('SELECT 1 UNION ALL SELECT 2').iterate();
    rows.next();
    assert.throws(() => db.close(), busy);
    assert.equal(db.open, true);
    rows.return();
    db.close();
    assert.equal(db.open, false);
  });

  it('rolls back an open transaction, as native SQLite does', () => {
    const file = join(dir, 'tx.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1); BEGIN; INSERT INTO t VALUES (2)');
    db.close();
    const native = new NativeDatabase(file);
    assert.deepEqual(native.prepare('SELECT x FROM t').pluck().all(), [1]);
    native.close();
  });

  it('Symbol.dispose closes the database', () => {
    const db = new Database(':memory:');
    db[Symbol.dispose]();
    assert.equal(db.open, false);
  });
});

describe('Database#defaultSafeIntegers', () => {
  let db;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('is off by default: integers come back as numbers', () => {
    assert.equal(db.prepare('SELECT 1').pluck().get(), 1);
  });

  it('applies to statements prepared afterwards, not to earlier ones', () => {
    const before = db.prepare('SELECT 9007199254740993').pluck();
    assert.equal(db.defaultSafeIntegers(), db);
    const during = db.prepare('SELECT 9007199254740993').pluck();
    db.defaultSafeIntegers(false);
    const afterwards = db.prepare('SELECT 9007199254740993').pluck();
    assert.equal(before.get(), 9007199254740992);
    assert.equal(during.get(), 9007199254740993n);
    assert.equal(afterwards.get(), 9007199254740992);
  });

  it('covers run().lastInsertRowid, and a statement can opt out', () => {
    db.exec('CREATE TABLE t(x)');
    db.defaultSafeIntegers(true);
    assert.deepEqual(db.prepare('INSERT INTO t VALUES (1)').run(), { changes: 1, lastInsertRowid: 1n });
    assert.equal(db.prepare('SELECT x FROM t').pluck().safeIntegers(false).get(), 1);
    assert.equal(db.prepare('SELECT 1.5').pluck().get(), 1.5, 'reals stay numbers');
  });

  it('refuses a non-boolean like better-sqlite3', () => {
    const native = new NativeDatabase(':memory:');
    for (const value of [1, 'true', null]) {
      const ours = outcome(() => db.defaultSafeIntegers(value));
      assert.deepEqual(ours.error, { type: 'TypeError', message: 'Expected first argument to be a boolean', code: undefined });
      assert.deepEqual(ours.error, outcome(() => native.defaultSafeIntegers(value)).error);
    }
    native.close();
  });
});

describe('CommonJS', () => {
  let pkg;
  before(() => {
    // The .cjs file requires the package by name, found through a node_modules link.
    pkg = mkdtempSync(join(tmpdir(), 'sqlite-component-cjs-'));
    mkdirSync(join(pkg, 'node_modules'));
    symlinkSync(packageDir, join(pkg, 'node_modules', 'sqlite-component'), 'dir');
  });
  after(() => rmSync(pkg, { recursive: true, force: true }));

  it("require('sqlite-component') is the Database constructor, shaped as better-sqlite3's module.exports", () => {
    const script = join(pkg, 'use.cjs');
    writeFileSync(script, `'use strict';
      const Database = require('sqlite-component');
      const { SqliteError } = Database;
      const db = Database(':memory:');
      let code;
      try { db.exec('SELEC 1'); } catch (e) { code = e instanceof SqliteError && e.code; }
      process.stdout.write(JSON.stringify({
        resolved: require.resolve('sqlite-component'),
        constructor: typeof Database === 'function' && db instanceof Database,
        properties: ['Database', 'SqliteError', 'registerVfs', 'MemoryVfs', 'NodeFsVfs'].filter((k) => typeof Database[k] === 'function'),
        row: new Database(':memory:').prepare('SELECT 6 * 7 AS answer').get(),
        code,
        shapeOfBetterSqlite3: typeof require('better-sqlite3') === 'function' && typeof require('better-sqlite3').SqliteError === 'function',
      }));
      db.close();
    `);
    const out = execFileSync(process.execPath, [script], { cwd: packageDir, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(packageDir, 'node_modules') } });
    assert.deepEqual(JSON.parse(out), {
      resolved: join(packageDir, 'src', 'node.cjs'),
      constructor: true,
      properties: ['Database', 'SqliteError', 'registerVfs', 'MemoryVfs', 'NodeFsVfs'],
      row: { answer: 42 },
      code: 'SQLITE_ERROR',
      shapeOfBetterSqlite3: true,
    });
  });

  it('import gives the named exports, and the same Database as require', async () => {
    const script = join(pkg, 'use.mjs');
    writeFileSync(script, `
      import { createRequire } from 'node:module';
      import * as api from 'sqlite-component';
      const required = createRequire(import.meta.url)('sqlite-component');
      process.stdout.write(JSON.stringify({ same: api.Database === required && api.default === required, named: typeof api.SqliteError }));
    `);
    const out = execFileSync(process.execPath, [script], { cwd: packageDir, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { same: true, named: 'function' });
  });
});

describe('a filename with a NUL', () => {
  // SQLite takes a C string: the name would be cut at the NUL and another file opened
  // (better-sqlite3 opens 'a.db' for 'a.db\0x'); refused on every VFS, with or without a root.
  const refused = { name: 'TypeError', message: /^Expected the database filename to contain no null bytes$/ };
  for (const vfs of ['node-fs', 'memory']) {
    it(`is refused by new Database and Database.open (${vfs})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-nul-'));
      try {
        assert.throws(() => new Database(join(dir, 'a.db\0x'), { vfs }), refused);
        assert.throws(() => new Database('\0', { vfs }), refused);
        await assert.rejects(Database.open(join(dir, 'a.db\0x'), { vfs }), refused);
        assert.deepEqual(readdirSync(dir), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  it('is refused as a backup destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-nul-'));
    const db = new Database(':memory:');
    try {
      await assert.rejects(db.backup(join(dir, 'b.db\0x')), { name: 'TypeError', message: 'Expected the backup filename to contain no null bytes' });
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(db.prepare('SELECT 1 AS x').get().x, 1);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
