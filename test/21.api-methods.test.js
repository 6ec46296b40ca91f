// Database and Statement methods, one describe per method, checked against what
// better-sqlite3 documents and does.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const root = new URL('../', import.meta.url);

let db;
beforeEach(() => {
  db = new Database(':memory:', { vfs: 'memory' });
  db.exec(`CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT, age INTEGER);
           INSERT INTO people(name, age) VALUES ('ada', 36), ('alan', 41), ('grace', 85);`);
});
afterEach(() => db.close());

describe('new Database()', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-component-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validates its arguments with "Expected …" errors', () => {
    assert.throws(() => new Database(5), { name: 'TypeError', message: 'Expected first argument to be a string' });
    assert.throws(() => new Database('', 5), { name: 'TypeError', message: 'Expected second argument to be an options object' });
    assert.throws(() => new Database('', { readonly: 'yes' }), { name: 'TypeError', message: /Expected the "readonly" option/ });
    assert.throws(() => new Database('', { vfs: 'nope' }), { name: 'TypeError', message: /Expected the "vfs" option/ });
    assert.throws(() => new Database(':memory:', { readonly: true }), { name: 'TypeError', message: 'In-memory/temporary databases cannot be readonly' });
  });

  it('exposes name, open, memory, readonly and vfs', () => {
    const file = join(dir, 'props.db');
    const fileDb = new Database(file);
    assert.equal(fileDb.name, file);
    assert.equal(fileDb.open, true);
    assert.equal(fileDb.memory, false);
    assert.equal(fileDb.readonly, false);
    assert.equal(fileDb.vfs, 'node-fs', 'real files are the default in Node');
    fileDb.close();
    assert.equal(fileDb.open, false);
    assert.equal(db.memory, true);
  });

  it('fileMustExist refuses a missing file with SQLITE_CANTOPEN and creates nothing', () => {
    const file = join(dir, 'missing.db');
    assert.throws(() => new Database(file, { fileMustExist: true }), (e) => e instanceof SqliteError && e.code === 'SQLITE_CANTOPEN');
    assert.equal(existsSync(file), false);
  });

  it('readonly opens an existing file that then refuses writes', () => {
    const file = join(dir, 'ro.db');
    new Database(file).exec('CREATE TABLE k(x); INSERT INTO k VALUES (1)').close();
    const ro = new Database(file, { readonly: true });
    assert.equal(ro.readonly, true);
    assert.equal(ro.prepare('SELECT x FROM k').pluck().get(), 1);
    assert.throws(() => ro.exec('INSERT INTO k VALUES (2)'), (e) => e.code === 'SQLITE_READONLY');
    ro.close();
  });

  it("'' opens a private temporary database", () => {
    const temp = new Database('');
    temp.exec('CREATE TABLE k(x); INSERT INTO k VALUES (7)');
    assert.equal(temp.prepare('SELECT x FROM k').pluck().get(), 7);
    assert.equal(temp.memory, true);
    temp.close();
  });

  it('works from CommonJS through require()', () => {
    const script = `const { Database } = require('sqlite-component');
      const db = new Database(':memory:', { vfs: 'memory' });
      process.stdout.write(JSON.stringify(db.prepare('SELECT 6 * 7 AS answer').get()));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { answer: 42 });
  });
});

describe('Database#exec', () => {
  it('runs several statements and returns the database', () => {
    assert.equal(db.exec("INSERT INTO people(name) VALUES ('x'); DELETE FROM people WHERE name = 'x';"), db);
    assert.equal(db.prepare('SELECT count(*) FROM people').pluck().get(), 3);
  });
});

describe('Database#pragma', () => {
  it('returns rows, or the first value with { simple: true }', () => {
    db.pragma('user_version = 7');
    assert.deepEqual(db.pragma('user_version'), [{ user_version: 7 }]);
    assert.equal(db.pragma('user_version', { simple: true }), 7);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on by default');
  });
});

describe('Database#transaction', () => {
  it('commits, and rolls back when the function throws', () => {
    const add = db.prepare('INSERT INTO people(name) VALUES (?)');
    const addAll = db.transaction((names) => {
      for (const name of names) add.run(name);
      return names.length;
    });
    assert.equal(addAll(['x', 'y']), 2);
    assert.equal(db.inTransaction, false);
    assert.throws(() => db.transaction(() => {
      add.run('z');
      throw new Error('no');
    })(), /no/);
    assert.deepEqual(db.prepare('SELECT name FROM people WHERE id > 3 ORDER BY id').pluck().all(), ['x', 'y']);
  });

  it('nests through savepoints: an inner failure undoes only the inner work', () => {
    const add = db.prepare('INSERT INTO people(name) VALUES (?)');
    const inner = db.transaction(() => {
      add.run('inner');
      throw new Error('inner fails');
    });
    db.transaction(() => {
      add.run('outer');
      assert.throws(inner, /inner fails/);
      assert.equal(db.inTransaction, true);
    })();
    assert.deepEqual(db.prepare('SELECT name FROM people WHERE id > 3').pluck().all(), ['outer']);
  });

  it('has deferred, immediate and exclusive variants', () => {
    const fn = db.transaction(() => db.inTransaction);
    for (const kind of ['deferred', 'immediate', 'exclusive']) {
      assert.equal(typeof fn[kind], 'function');
      assert.equal(fn[kind](), true);
    }
  });

  it('refuses async functions and promises', () => {
    assert.throws(() => db.transaction(async () => {}), TypeError);
    assert.throws(() => db.transaction(() => Promise.resolve())(), TypeError);
    assert.equal(db.inTransaction, false);
  });
});

describe('Database#serialize', () => {
  it('returns an image that native SQLite opens', () => {
    const image = db.serialize();
    assert.ok(Buffer.isBuffer(image));
    const native = new NativeDatabase(image);
    assert.deepEqual(native.prepare('SELECT name FROM people ORDER BY id').pluck().all(), ['ada', 'alan', 'grace']);
    native.close();
  });
});

describe('Database#close', () => {
  it('is idempotent and refuses while iterating', () => {
    const it = db.prepare('SELECT * FROM people').iterate();
    it.next();
    assert.throws(() => db.close(), { message: 'This database connection is busy executing a query' });
    it.return();
    db.close();
    db.close();
    assert.equal(db.open, false);
    db = new Database(':memory:', { vfs: 'memory' }); // for afterEach
  });
});

describe('Statement#run', () => {
  it('returns changes and lastInsertRowid (BigInt with safeIntegers)', () => {
    const insert = db.prepare('INSERT INTO people(name) VALUES (?)');
    assert.deepEqual(insert.run('x'), { changes: 1, lastInsertRowid: 4 });
    assert.deepEqual(insert.safeIntegers().run('y'), { changes: 1, lastInsertRowid: 5n });
    assert.equal(db.prepare('UPDATE people SET age = 1').run().changes, 5);
  });
});

describe('Statement#get / #all', () => {
  it('return objects, undefined or [] when there is no row', () => {
    assert.deepEqual(db.prepare('SELECT name, age FROM people WHERE id = ?').get(2), { name: 'alan', age: 41 });
    assert.equal(db.prepare('SELECT * FROM people WHERE id = ?').get(99), undefined);
    assert.deepEqual(db.prepare('SELECT * FROM people WHERE id > 99').all(), []);
    assert.equal(db.prepare('SELECT id FROM people').all().length, 3);
  });

  it('refuse statements that return no data', () => {
    assert.throws(() => db.prepare('DELETE FROM people WHERE 0').all(), { name: 'TypeError', message: 'This statement does not return data. Use run() instead' });
  });
});

describe('Statement#iterate', () => {
  it('yields every row across batches; breaking early resets the statement', () => {
    db.exec('CREATE TABLE n(x)');
    db.prepare('INSERT INTO n SELECT value FROM json_each(?)').run(JSON.stringify(Array.from({ length: 1000 }, (_, i) => i)));
    const all = db.prepare('SELECT x FROM n ORDER BY x').pluck();
    let sum = 0;
    for (const x of all.iterate()) sum += x;
    assert.equal(sum, 499500);
    for (const x of all.iterate()) if (x === 3) break;
    assert.equal(all.busy, false);
    assert.equal([...all.iterate()].length, 1000);
  });

  it('keeps the statement busy until the iteration ends', () => {
    const statement = db.prepare('SELECT * FROM people');
    const rows = statement.iterate();
    rows.next();
    assert.equal(statement.busy, true);
    assert.throws(() => statement.all(), { message: 'This statement is busy executing a query' });
    assert.throws(() => db.exec('SELECT 1'), { message: 'This database connection is busy executing a query' });
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM people').get(), { n: 3 }, 'other statements still run');
    rows.return();
    assert.equal(statement.busy, false);
  });
});

describe('Statement#pluck / #raw / #expand', () => {
  it('shape rows, toggle off, and refuse statements without data', () => {
    const s = db.prepare('SELECT p.id, p.name, 1 + 1 AS two FROM people p WHERE p.id = 1');
    assert.equal(s.pluck().get(), 1);
    assert.deepEqual(s.raw().get(), [1, 'ada', 2]);
    assert.deepEqual(s.expand().get(), { people: { id: 1, name: 'ada' }, $: { two: 2 } });
    assert.deepEqual(s.expand(false).get(), { id: 1, name: 'ada', two: 2 });
    const write = db.prepare('DELETE FROM people WHERE 0');
    for (const method of ['pluck', 'raw', 'expand']) {
      assert.throws(() => write[method](), { name: 'TypeError', message: `The ${method}() method is only for statements that return data` });
    }
  });

  it('with duplicate column names the last one wins, as in better-sqlite3', () => {
    assert.deepEqual(db.prepare('SELECT 1 AS a, 2 AS a').get(), { a: 2 });
  });
});

describe('Statement#columns', () => {
  it('describes result columns with their origins', () => {
    assert.deepEqual(db.prepare('SELECT name, age + 1 AS next FROM people').columns(), [
      { name: 'name', column: 'name', table: 'people', database: 'main', type: 'TEXT' },
      { name: 'next', column: null, table: null, database: null, type: null },
    ]);
  });
});

describe('Statement properties', () => {
  it('reader, readonly, source, database', () => {
    const select = db.prepare('SELECT 1');
    const insert = db.prepare('INSERT INTO people(name) VALUES (?)');
    assert.equal(select.reader, true);
    assert.equal(select.readonly, true);
    assert.equal(insert.reader, false);
    assert.equal(insert.readonly, false);
    assert.equal(db.prepare('INSERT INTO people(name) VALUES (1) RETURNING id').reader, true);
    assert.equal(select.source, 'SELECT 1');
    assert.equal(select.database, db);
  });
});

describe('Statement#bind and parameters', () => {
  it('bind() fixes parameters; later calls may not pass any', () => {
    const s = db.prepare('SELECT name FROM people WHERE id = ?').pluck().bind(3);
    assert.equal(s.get(), 'grace');
    assert.equal(s.all().length, 1);
    assert.throws(() => s.get(1), { name: 'TypeError', message: 'This statement already has bound parameters' });
    assert.throws(() => s.bind(1), TypeError);
  });

  it('positional ?, ?NNN, named :a @a $a, arrays spread', () => {
    assert.deepEqual(db.prepare('SELECT ?, ?').raw().get(1, 'b'), [1, 'b']);
    assert.deepEqual(db.prepare('SELECT ?, ?').raw().get([1, 'b']), [1, 'b']);
    assert.deepEqual(db.prepare('SELECT ?2, ?1').raw().get('first', 'second'), ['second', 'first']);
    assert.deepEqual(db.prepare('SELECT :a, @b, $c').raw().get({ a: 1, b: 2, c: 3 }), [1, 2, 3]);
    assert.deepEqual(db.prepare('SELECT :a, ?').raw().get({ a: 'named' }, 'positional'), ['named', 'positional']);
  });

  it('refuses missing, extra and ill-typed parameters like better-sqlite3', () => {
    const native = new NativeDatabase(':memory:');
    const cases = [
      ['SELECT :a', [{ b: 1 }]],
      ['SELECT ?', [1, 2]],
      ['SELECT ?, ?', [1]],
      ['SELECT :a', [{ a: 1 }, { a: 2 }]],
      ['SELECT ?', [true]],
      ['SELECT ?', [Symbol('s')]],
      ['SELECT ?', [() => 1]],
    ];
    for (const [sql, args] of cases) {
      let expected;
      try {
        native.prepare(sql).get(...args);
      } catch (e) {
        expected = e;
      }
      assert.throws(() => db.prepare(sql).get(...args), (e) => e.constructor.name === expected.constructor.name && e.message === expected.message, sql);
    }
    native.close();
  });
});

// What a call did, comparable between engines: its value, or its error's class, message, code.
function outcomeOf(fn) {
  try {
    const value = fn();
    return { value: value instanceof Database || value instanceof NativeDatabase ? 'a Database' : value };
  } catch (e) {
    return { error: e.constructor.name, message: e.message, code: e.code };
  }
}

describe('the rest of better-sqlite3\'s Database surface', () => {
  const engines = { ours: Database, native: NativeDatabase };

  it('is callable without new, and carries SqliteError', () => {
    for (const Engine of Object.values(engines)) {
      const db = Engine(':memory:');
      assert.ok(db instanceof Engine);
      assert.equal(db.prepare('SELECT 1 AS one').get().one, 1);
      db.close();
      assert.equal(typeof Engine.SqliteError, 'function');
      assert.throws(() => Engine(':memory:').exec('nonsense'), Engine.SqliteError);
    }
    assert.equal(Database.SqliteError, SqliteError);
    class Subclass extends Database {}
    assert.ok(new Subclass(':memory:') instanceof Database);
  });

  it('checks its options as better-sqlite3 does; nativeBinding is accepted and ignored', () => {
    const options = [
      { readOnly: true }, { memory: true }, { verbose: 'log' }, { verbose: null }, { nativeBinding: 5 },
      { nativeBinding: '/nowhere/better_sqlite3.node' }, { nativeBinding: {} }, { timeout: 1.5 },
    ];
    for (const option of options) {
      const [ours, native] = Object.values(engines).map((Engine) => outcomeOf(() => new Engine(':memory:', option)));
      if (['string', 'object'].includes(typeof option.nativeBinding) && native.error) {
        // better-sqlite3 tries to load the addon it is given; we have none to load.
        assert.deepEqual(ours, { value: 'a Database' }, JSON.stringify(option));
      } else {
        assert.deepEqual(ours, native, JSON.stringify(option));
      }
    }
    const trimmed = new Database('  :memory:  ');
    assert.equal(trimmed.memory, true);
    assert.equal(trimmed.name, '  :memory:  ');
  });

  it('calls verbose with each statement\'s SQL, its bound values expanded, exec statement by statement, as better-sqlite3 does', () => {
    const seen = { ours: [], native: [] };
    for (const [name, Engine] of Object.entries(engines)) {
      const db = new Engine(':memory:', { verbose: (sql) => seen[name].push(sql) });
      const select = db.prepare('SELECT ? AS a, :b AS b, ? AS c');
      select.get(5, { b: 'x' }, 2n);
      select.all(6.5, { b: "it's" }, null);
      db.exec(' CREATE TABLE t(x); ;; INSERT INTO t VALUES (1);  -- comment\n SELECT 2; /* end */');
      db.prepare('INSERT INTO t VALUES (?)').run(Buffer.from([1, 2]));
      for (const row of db.prepare('SELECT x FROM t WHERE x = ?').iterate(1)) void row;
      db.pragma('user_version');
      db.transaction(() => db.prepare('SELECT 3').get())();
      try {
        db.exec('SELECT 1; nonsense; SELECT 2');
      } catch (e) {
        seen[name].push(e.code);
      }
      const bound = db.prepare('SELECT ?');
      bound.bind(7);
      bound.get();
      db.close();
    }
    assert.deepEqual(seen.ours, seen.native);
    assert.equal(seen.ours.length, 14);
    const db = new Database(':memory:', { verbose: () => { throw new Error('logger failed'); } });
    assert.throws(() => db.prepare('SELECT 1').get(), { message: 'logger failed' });
    assert.throws(() => db.exec('SELECT 1'), { message: 'logger failed' });
    db.close();
  });

  it('loadExtension is refused with a SqliteError that says why, after better-sqlite3\'s argument checks', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.loadExtension(5), { name: 'TypeError', message: 'Expected first argument to be a string' });
    assert.throws(() => db.loadExtension('x', 5), { name: 'TypeError', message: 'Expected second argument to be a string' });
    assert.throws(() => db.loadExtension('./some-extension.so'), (e) => e instanceof SqliteError && e.code === 'SQLITE_ERROR' && /cannot load extensions/.test(e.message));
    assert.equal(db.prepare('SELECT 1 AS one').get().one, 1);
    db.close();
    assert.throws(() => db.loadExtension('x'), { name: 'TypeError', message: 'The database connection is not open' });
  });

  it('unsafeMode lets writes and exec run while iterating, and turns defensive mode off, as in better-sqlite3', () => {
    const results = {};
    for (const [name, Engine] of Object.entries(engines)) {
      const db = new Engine(':memory:');
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)');
      const out = {};
      out.defensive = outcomeOf(() => db.pragma('writable_schema = 1'));
      out.schemaWrite = outcomeOf(() => db.prepare("UPDATE sqlite_master SET sql = sql WHERE name = 't'").run());
      out.badToggle = outcomeOf(() => db.unsafeMode('yes'));
      const iterator = db.prepare('SELECT x FROM t').iterate();
      iterator.next();
      out.safeWrite = outcomeOf(() => db.prepare('INSERT INTO t VALUES (3)').run());
      db.unsafeMode();
      out.unsafeWrite = outcomeOf(() => db.prepare('INSERT INTO t VALUES (4)').run());
      out.unsafeExec = outcomeOf(() => db.exec('INSERT INTO t VALUES (5)') && 'ok');
      iterator.return();
      out.unsafeSchemaWrite = outcomeOf(() => db.pragma('writable_schema = 1') && db.prepare("UPDATE sqlite_master SET sql = sql WHERE name = 't'").run());
      db.unsafeMode(false);
      out.count = db.prepare('SELECT count(*) AS n FROM t').get();
      db.close();
      results[name] = out;
    }
    assert.deepEqual(results.ours, results.native);
    assert.equal(results.ours.schemaWrite.code, 'SQLITE_ERROR', 'defensive by default');
    assert.deepEqual(results.ours.count, { n: 4 });
  });
});
