// Statement: one describe per method — run, get, all, iterate, pluck/raw/expand, columns,
// safeIntegers, bind — its properties, and how arguments bind to parameters. Where better-sqlite3
// (native, same SQLite) behaves the same way, the results and the errors are compared with it.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

const SETUP = `
  CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);
  CREATE TABLE pets(id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people(id), name TEXT);
  INSERT INTO people(name, age) VALUES ('ada', 36), ('alan', 41), ('grace', 85);
  INSERT INTO pets(owner, name) VALUES (1, 'rex'), (3, 'tom');
  CREATE TABLE n(x INTEGER PRIMARY KEY);
  WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000) INSERT INTO n SELECT i FROM c;
`;

let db;
let native;
beforeEach(() => {
  db = new Database(':memory:');
  native = new NativeDatabase(':memory:');
  db.exec(SETUP);
  native.exec(SETUP);
});
afterEach(() => {
  db.close();
  native.close();
});

// What a call did, in a form two implementations can be compared by.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.constructor.name, message: e.message, code: e.code } };
  }
}

// Runs `fn(database)` on ours and on better-sqlite3 and requires the same outcome.
function same(fn, label) {
  const ours = outcome(() => fn(db));
  assert.deepEqual(ours, outcome(() => fn(native)), label);
  return ours;
}

// Two connections on one file, for seeing whether the first still holds a read lock: the second
// can take an exclusive lock only if it does not. `fn(first, lockIsFree)`.
function withReadLockProbe(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-20-'));
  const first = new Database(join(dir, 'locks.db'));
  const second = new Database(join(dir, 'locks.db'), { timeout: 0 });
  try {
    first.exec(SETUP);
    fn(first, () => outcome(() => second.exec('BEGIN EXCLUSIVE; COMMIT')).error?.code ?? 'free');
  } finally {
    second.close();
    first.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const statementBusy = { name: 'TypeError', message: 'This statement is busy executing a query' };
const connectionBusy = { name: 'TypeError', message: 'This database connection is busy executing a query' };
const noData = { name: 'TypeError', message: 'This statement does not return data. Use run() instead' };

describe('Statement#run', () => {
  it('returns changes and lastInsertRowid as numbers', () => {
    const insert = db.prepare('INSERT INTO people(name) VALUES (?)');
    assert.deepEqual(insert.run('x'), { changes: 1, lastInsertRowid: 4 });
    assert.deepEqual(insert.run('y'), { changes: 1, lastInsertRowid: 5 });
    assert.deepEqual(db.prepare('UPDATE people SET age = 1').run(), { changes: 5, lastInsertRowid: 5 });
    assert.deepEqual(db.prepare('DELETE FROM people WHERE id > 3').run(), { changes: 2, lastInsertRowid: 5 });
  });

  it('gives BigInts with safeIntegers, and rounds rowids past 2^53 without', () => {
    const sql = 'INSERT INTO n(x) VALUES (?)';
    assert.deepEqual(db.prepare(sql).safeIntegers().run(2n ** 63n - 1n), { changes: 1, lastInsertRowid: 2n ** 63n - 1n });
    assert.deepEqual(db.prepare(sql).run(2n ** 53n + 1n), { changes: 1, lastInsertRowid: 2 ** 53 });
    assert.equal(typeof db.prepare(sql).safeIntegers().run(-5n).changes, 'number', 'changes stays a number');
    same((d) => d.prepare(sql).safeIntegers().run(-(2n ** 63n)));
    same((d) => d.prepare(sql).run(2n ** 62n + 3n));
  });

  it('counts what better-sqlite3 counts: triggers and cascades excluded, RETURNING included', () => {
    const cases = [
      "INSERT INTO people(name) VALUES ('a'), ('b'), ('c') RETURNING id",
      "UPDATE people SET age = age + 1 WHERE name LIKE 'a%'",
      'UPDATE people SET age = 0 WHERE 0',
      'DELETE FROM n WHERE x > 990',
      "INSERT INTO people(id, name) VALUES (1, 'ada') ON CONFLICT(id) DO UPDATE SET age = 99",
      "INSERT OR IGNORE INTO people(id, name) VALUES (1, 'ada')",
      "REPLACE INTO people(id, name) VALUES (2, 'alan turing')",
    ];
    same((d) => {
      d.exec(`CREATE TABLE log(msg); CREATE TRIGGER t AFTER UPDATE ON people BEGIN
                INSERT INTO log VALUES ('a'); INSERT INTO log VALUES ('b'); END;
              CREATE TABLE owners(id PRIMARY KEY); CREATE TABLE owned(o REFERENCES owners(id) ON DELETE CASCADE);
              INSERT INTO owners VALUES (1); INSERT INTO owned VALUES (1), (1), (1);`);
      return [...cases.map((sql) => d.prepare(sql).run()), d.prepare('DELETE FROM owners').run()];
    });
  });

  it('reports no changes for a statement that changes nothing, like better-sqlite3', () => {
    // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE; better-sqlite3 reports 0
    // when total_changes() did not move, so CREATE, SELECT or VACUUM after an INSERT give 0.
    for (const sql of ['SELECT 1', 'CREATE TABLE fresh(x)', 'VACUUM', 'PRAGMA user_version = 5', 'BEGIN']) {
      same((d) => {
        d.prepare("INSERT INTO people(name) VALUES ('z')").run();
        const result = d.prepare(sql).run();
        if (d.inTransaction) d.exec('ROLLBACK');
        return result;
      }, sql);
    }
  });

  it('runs a statement that returns rows, to completion', () => {
    assert.equal(db.prepare("INSERT INTO people(name) VALUES ('p'), ('q') RETURNING id").run().changes, 2);
    assert.equal(db.prepare('SELECT count(*) FROM people').pluck().get(), 5);
  });

  it('can run again with other arguments', () => {
    const insert = db.prepare('INSERT INTO people(name, age) VALUES (?, ?)');
    for (let i = 0; i < 50; i++) insert.run(`p${i}`, i);
    assert.deepEqual(db.prepare('SELECT count(*) AS c, sum(age) AS s FROM people WHERE name LIKE ?').get('p%'), { c: 50, s: 1225 });
  });
});

describe('Statement#get', () => {
  it('returns the first row as an object, or undefined', () => {
    for (const [sql, args] of [
      ['SELECT name, age FROM people WHERE id = ?', [2]],
      ['SELECT * FROM people ORDER BY id DESC', []],
      ['SELECT * FROM people WHERE id = ?', [99]],
      ['SELECT 1 AS a, 2 AS a', []],
      ['SELECT 1 AS "", NULL AS "x y"', []],
      ['SELECT 3 AS c, 1 AS "1", 2 AS b', []],
    ]) {
      same((d) => d.prepare(sql).get(...args), sql);
    }
    assert.equal(db.prepare('SELECT * FROM people WHERE id = ?').get(99), undefined);
    assert.deepEqual(db.prepare('SELECT name, age FROM people WHERE id = ?').get(2), { name: 'alan', age: 41 });
  });

  it('resets the statement: a later get starts over, and no read lock is left behind', () => {
    withReadLockProbe((conn, lockIsFree) => {
      const first = conn.prepare('SELECT x FROM n ORDER BY x').pluck();
      assert.equal(first.get(), 1);
      assert.equal(lockIsFree(), 'free');
      assert.equal(first.get(), 1);
      const rows = first.iterate();
      rows.next();
      assert.equal(lockIsFree(), 'SQLITE_BUSY', 'the probe sees a lock that is held');
      rows.return();
      assert.equal(lockIsFree(), 'free');
    });
  });

  it('refuses a statement that returns no data', () => {
    assert.throws(() => db.prepare('DELETE FROM people WHERE 0').get(), noData);
    same((d) => d.prepare('DELETE FROM people WHERE 0').get());
  });
});

describe('Statement#all', () => {
  it('returns every row, or []', () => {
    for (const sql of [
      'SELECT * FROM people ORDER BY id',
      'SELECT * FROM people WHERE 0',
      'SELECT p.name, q.name FROM people p JOIN pets q ON q.owner = p.id',
      'SELECT x FROM n',
      "INSERT INTO pets(name) VALUES ('a'), ('b') RETURNING id, name",
    ]) {
      same((d) => d.prepare(sql).all(), sql);
    }
    assert.equal(db.prepare('SELECT x FROM n').all().length, 1000);
  });

  it('refuses a statement that returns no data', () => {
    assert.throws(() => db.prepare('UPDATE people SET age = 1 WHERE 0').all(), noData);
  });
});

describe('Statement#iterate', () => {
  const rowCounts = [0, 1, 255, 256, 257, 512, 513, 1000];

  it('yields every row, across batch boundaries, in order', () => {
    for (const count of rowCounts) {
      const sql = `SELECT x, x * 2 AS y FROM n WHERE x <= ${count} ORDER BY x`;
      const rows = [...db.prepare(sql).iterate()];
      assert.equal(rows.length, count);
      assert.deepEqual(rows, native.prepare(sql).all(), `${count} rows`);
    }
  });

  it('follows pluck, raw, expand, safeIntegers and its arguments', () => {
    const sql = 'SELECT p.id, p.name, 7 AS seven FROM people p WHERE p.id >= ? ORDER BY p.id';
    for (const shape of [(s) => s, (s) => s.pluck(), (s) => s.raw(), (s) => s.expand(), (s) => s.safeIntegers()]) {
      same((d) => [...shape(d.prepare(sql)).iterate(2)], shape.toString());
    }
  });

  it('is its own iterator; next() after the end keeps saying done', () => {
    const rows = db.prepare('SELECT x FROM n WHERE x <= 2').pluck().iterate();
    assert.equal(rows[Symbol.iterator](), rows);
    assert.deepEqual([rows.next(), rows.next(), rows.next(), rows.next()], [
      { value: 1, done: false },
      { value: 2, done: false },
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('breaking early resets the statement so it can run again from the start', () => {
    const statement = db.prepare('SELECT x FROM n ORDER BY x').pluck();
    for (const stop of [1, 3, 256, 257, 300, 999]) {
      for (const x of statement.iterate()) if (x === stop) break;
      assert.equal(statement.busy, false);
      assert.equal(statement.get(), 1);
      assert.equal([...statement.iterate()].length, 1000);
    }
  });

  it('holds a read lock while it runs, and releases it when it ends, early or not', () => {
    withReadLockProbe((conn, lockIsFree) => {
      const statement = conn.prepare('SELECT x FROM n ORDER BY x').pluck();
      for (const stop of [1, 256, 300, 999, Infinity]) {
        for (const x of statement.iterate()) {
          if (x === 2) assert.equal(lockIsFree(), 'SQLITE_BUSY');
          if (x === stop) break;
        }
        assert.equal(lockIsFree(), 'free', `after stopping at ${stop}`);
      }
    });
  });

  it('return() ends it once: later next() and return() are done', () => {
    const statement = db.prepare('SELECT x FROM n').pluck();
    const rows = statement.iterate();
    rows.next();
    assert.deepEqual(rows.return('r'), { value: 'r', done: true });
    assert.deepEqual(rows.return(), { value: undefined, done: true });
    assert.deepEqual(rows.next(), { value: undefined, done: true });
    assert.equal(statement.busy, false);
  });

  it('an exception in the loop body ends the iteration', () => {
    const statement = db.prepare('SELECT x FROM n').pluck();
    assert.throws(() => {
      for (const x of statement.iterate()) if (x === 400) throw new Error('in the body');
    }, /in the body/);
    assert.equal(statement.busy, false);
    assert.equal(statement.all().length, 1000);
  });

  it('keeps its statement busy until the end, like better-sqlite3', () => {
    const calls = [
      (s) => s.get(),
      (s) => s.all(),
      (s) => s.run(),
      (s) => s.iterate(),
      (s) => s.bind(),
      (s) => s.pluck(),
      (s) => s.raw(false),
      (s) => s.expand(),
      (s) => s.safeIntegers(),
    ];
    const sql = 'SELECT x FROM n';
    const ours = db.prepare(sql);
    const theirs = native.prepare(sql);
    const oursRows = ours.iterate();
    const theirRows = theirs.iterate();
    oursRows.next();
    theirRows.next();
    assert.equal(ours.busy, true);
    for (const call of calls) {
      const result = outcome(() => call(ours));
      assert.deepEqual(result.error, { type: 'TypeError', message: statementBusy.message, code: undefined }, call.toString());
      assert.deepEqual(result, outcome(() => call(theirs)), call.toString());
    }
    oursRows.return();
    theirRows.return();
    assert.equal(ours.busy, false);
  });

  it('columns() still works while iterating, as in better-sqlite3', () => {
    const statement = db.prepare('SELECT id, name FROM people');
    const rows = statement.iterate();
    rows.next();
    assert.deepEqual(statement.columns().map((c) => c.name), ['id', 'name']);
    rows.return();
  });

  it('makes db.exec() and db.close() throw busy; other statements still read', () => {
    const statement = db.prepare('SELECT x FROM n');
    const rows = statement.iterate();
    rows.next();
    assert.throws(() => db.exec('SELECT 1'), connectionBusy);
    assert.throws(() => db.close(), connectionBusy);
    assert.equal(db.prepare('SELECT count(*) FROM people').pluck().get(), 3);
    let inner = 0;
    for (const _ of db.prepare('SELECT x FROM n WHERE x <= 300').iterate()) inner++;
    assert.equal(inner, 300, 'a second iteration nests inside the first');
    assert.throws(() => db.exec('SELECT 1'), connectionBusy, 'the outer one is still going');
    rows.return();
    assert.equal(db.exec('SELECT 1'), db);
  });

  it('after a runtime error midway, has yielded the rows before it, like better-sqlite3', () => {
    // Row 600 overflows; rows 1..599 are good and better-sqlite3 yields all of them first.
    const sql = 'SELECT CASE WHEN x = 600 THEN abs(-9223372036854775807 - 1) ELSE x END AS v FROM n ORDER BY x';
    const run = (d) => {
      const seen = [];
      const statement = d.prepare(sql).pluck();
      const { error } = outcome(() => {
        for (const v of statement.iterate()) seen.push(v);
      });
      return { count: seen.length, last: seen.at(-1), error, busy: statement.busy };
    };
    const ours = run(db);
    assert.deepEqual(ours.error, { type: 'SqliteError', message: 'integer overflow', code: 'SQLITE_ERROR' });
    assert.equal(ours.busy, false);
    assert.equal(db.exec('SELECT 1'), db, 'the connection is usable again');
    assert.deepEqual(ours, run(native));
  });

  it('refuses a statement that returns no data', () => {
    assert.throws(() => db.prepare('DELETE FROM people WHERE 0').iterate(), noData);
  });

  it('while an iterator is open, refuses what better-sqlite3 refuses and allows what it allows', () => {
    const run = (d) => {
      const rows = d.prepare('SELECT x FROM n').pluck().iterate();
      rows.next();
      const tried = {
        insert: outcome(() => d.prepare('INSERT INTO n VALUES (5000)').run().changes),
        runSelect: outcome(() => d.prepare('SELECT 1').run().changes),
        exec: outcome(() => d.exec('SELECT 1') === d),
        pragma: outcome(() => d.pragma('user_version', { simple: true })),
        serialize: outcome(() => d.serialize().length > 0),
        transaction: outcome(() => d.transaction(() => 1)()),
        get: outcome(() => d.prepare('SELECT count(*) FROM n').pluck().get()),
        all: outcome(() => d.prepare('SELECT x FROM n WHERE x < 3').pluck().all()),
        prepare: outcome(() => typeof d.prepare('SELECT 2')),
      };
      tried.next = rows.next().value; // the iteration goes on, unchanged
      rows.return();
      tried.after = outcome(() => d.prepare('INSERT INTO n VALUES (5000)').run().changes);
      return tried;
    };
    const ours = run(db);
    assert.deepEqual(ours.insert.error, { type: 'TypeError', message: 'This database connection is busy executing a query', code: undefined });
    assert.deepEqual(ours.after, { value: 1 });
    assert.deepEqual(ours, run(native));
  });

  it('all() throws a failure that comes after some rows, as better-sqlite3 does', () => {
    const sql = 'SELECT CASE WHEN x = 600 THEN abs(-9223372036854775807 - 1) ELSE x END AS v FROM n ORDER BY x';
    const ours = outcome(() => db.prepare(sql).all());
    assert.equal(ours.error?.code, 'SQLITE_ERROR');
    assert.deepEqual(ours, outcome(() => native.prepare(sql).all()));
    assert.equal(db.prepare('SELECT count(*) FROM n').pluck().get(), 1000);
  });

  it('breaking out of a loop over 1 MiB rows reads about one row, in time and memory', () => {
    // The rows live in a file, so only what iterate() fetches enters the engine's memory.
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-20-'));
    try {
      const file = join(dir, 'big.db');
      const writer = new NativeDatabase(file);
      writer.exec(`CREATE TABLE big(v TEXT);
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200)
        INSERT INTO big SELECT printf('%.*c', 1048576, 'x') FROM c;`);
      writer.close();
      const measure = (d) => {
        const statement = d.prepare('SELECT v FROM big').pluck();
        const rss = process.memoryUsage().rss;
        const start = performance.now();
        let length = 0;
        for (const v of statement.iterate()) {
          length = v.length;
          break;
        }
        return { ms: performance.now() - start, mib: (process.memoryUsage().rss - rss) / 2 ** 20, length };
      };
      const ours = new Database(file);
      const theirs = new NativeDatabase(file, { readonly: true });
      const oursCost = measure(ours);
      const theirCost = measure(theirs);
      assert.equal(oursCost.length, 1048576);
      // Fetching the 200 rows (what a 256-row batch did) took seconds and hundreds of MiB.
      assert.ok(oursCost.ms < 100 + 10 * theirCost.ms, `ours ${oursCost.ms.toFixed(1)} ms, better-sqlite3 ${theirCost.ms.toFixed(1)} ms`);
      assert.ok(oursCost.mib < 64, `ours grew ${oursCost.mib.toFixed(1)} MiB`);
      ours.close();
      theirs.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Statement#pluck / #raw / #expand', () => {
  const sql = 'SELECT p.id, p.name, q.name, 1 + 1 AS two FROM people p LEFT JOIN pets q ON q.owner = p.id ORDER BY p.id';

  it('shape rows as better-sqlite3 does', () => {
    for (const shape of [
      (s) => s.pluck(),
      (s) => s.raw(),
      (s) => s.expand(),
      (s) => s.pluck().raw(),
      (s) => s.raw().pluck(),
      (s) => s.expand().pluck(),
      (s) => s.raw().expand(),
    ]) {
      same((d) => shape(d.prepare(sql)).all(), shape.toString());
    }
    assert.deepEqual(db.prepare(sql).expand().get(), { people: { id: 1, name: 'ada' }, pets: { name: 'rex' }, $: { two: 2 } });
    assert.deepEqual(db.prepare(sql).raw().get(), [1, 'ada', 'rex', 2]);
    assert.equal(db.prepare(sql).pluck().get(), 1);
  });

  it('toggle off with false, only the mode that is on', () => {
    for (const shape of [
      (s) => s.pluck().pluck(false),
      (s) => s.pluck().raw(false),
      (s) => s.raw().expand(false),
      (s) => s.expand().expand(false),
      (s) => s.raw(true).raw(false).raw(false),
    ]) {
      same((d) => shape(d.prepare(sql)).get(), shape.toString());
    }
    assert.deepEqual(db.prepare(sql).pluck().pluck(false).get(), { id: 1, name: 'rex', two: 2 });
  });

  it('return the statement', () => {
    const statement = db.prepare(sql);
    for (const method of ['pluck', 'raw', 'expand']) {
      assert.equal(statement[method](), statement);
      assert.equal(statement[method](false), statement);
    }
  });

  it('throw TypeError on statements that return no data, and on a non-boolean', () => {
    for (const method of ['pluck', 'raw', 'expand']) {
      const write = db.prepare('DELETE FROM people WHERE 0');
      assert.throws(() => write[method](), { name: 'TypeError', message: `The ${method}() method is only for statements that return data` });
      assert.throws(() => write[method](false), { name: 'TypeError', message: `The ${method}() method is only for statements that return data` });
      same((d) => d.prepare('DELETE FROM people WHERE 0')[method](), method);
      for (const value of [1, 'yes', null]) {
        assert.throws(() => db.prepare('SELECT 1')[method](value), { name: 'TypeError', message: 'Expected first argument to be a boolean' });
        same((d) => d.prepare('SELECT 1')[method](value), method);
      }
    }
  });
});

describe('Statement#safeIntegers', () => {
  it('returns BigInts for integers only, and toggles', () => {
    const statement = db.prepare('SELECT 9007199254740993 AS i, 1.5 AS r, NULL AS n, ? AS b');
    assert.equal(statement.safeIntegers(), statement);
    assert.deepEqual(statement.get(3n), { i: 9007199254740993n, r: 1.5, n: null, b: 3n });
    assert.deepEqual(statement.safeIntegers(false).get(3n), { i: 9007199254740992, r: 1.5, n: null, b: 3 });
    same((d) => d.prepare('SELECT x FROM n WHERE x < 4').safeIntegers().raw().all());
  });

  it('refuses a non-boolean', () => {
    assert.throws(() => db.prepare('SELECT 1').safeIntegers(1), { name: 'TypeError', message: 'Expected first argument to be a boolean' });
  });
});

describe('Statement#columns', () => {
  it('describes result columns as better-sqlite3 does', () => {
    db.exec('CREATE VIEW v AS SELECT p.name AS who, q.name AS pet FROM people p JOIN pets q ON q.owner = p.id');
    native.exec('CREATE VIEW v AS SELECT p.name AS who, q.name AS pet FROM people p JOIN pets q ON q.owner = p.id');
    for (const sql of [
      'SELECT * FROM people',
      'SELECT id AS key, age + 1, count(*) OVER () AS w FROM people',
      'SELECT p.id, q.id FROM people p, pets q',
      'SELECT * FROM v',
      'SELECT s.x FROM (SELECT x FROM n) s',
      'SELECT rowid, * FROM pets',
      "INSERT INTO pets(name) VALUES ('z') RETURNING id, name || '!' AS loud",
      'PRAGMA table_info(people)',
    ]) {
      same((d) => d.prepare(sql).columns(), sql);
    }
    assert.deepEqual(db.prepare('SELECT name, age * 2 AS double FROM people').columns(), [
      { name: 'name', column: 'name', table: 'people', database: 'main', type: 'TEXT' },
      { name: 'double', column: null, table: null, database: null, type: null },
    ]);
  });

  it('follows a schema change', () => {
    const statement = db.prepare('SELECT * FROM pets');
    db.exec('ALTER TABLE pets ADD COLUMN kind TEXT');
    assert.deepEqual(Object.keys(statement.get()), ['id', 'owner', 'name', 'kind']);
    assert.deepEqual(statement.columns().map((c) => c.name), ['id', 'owner', 'name', 'kind']);
  });

  it('throws TypeError on a statement that returns no data', () => {
    assert.throws(() => db.prepare('DELETE FROM pets').columns(), { name: 'TypeError', message: 'The columns() method is only for statements that return data' });
    same((d) => d.prepare('DELETE FROM pets').columns());
  });
});

describe('Statement properties', () => {
  it('reader and readonly match better-sqlite3', () => {
    for (const sql of [
      'SELECT 1',
      'INSERT INTO pets(name) VALUES (1)',
      'INSERT INTO pets(name) VALUES (1) RETURNING id',
      'UPDATE pets SET name = name',
      'DELETE FROM pets',
      'CREATE TABLE z(x)',
      'BEGIN',
      'PRAGMA user_version',
      'PRAGMA user_version = 1',
      'EXPLAIN SELECT 1',
      'WITH c AS (SELECT 1) SELECT * FROM c',
      "ATTACH ':memory:' AS a",
    ]) {
      same((d) => {
        const s = d.prepare(sql);
        return { reader: s.reader, readonly: s.readonly };
      }, sql);
    }
  });

  it('source is the SQL text, database the owner, busy false when idle', () => {
    const sql = '  SELECT 1 ; -- trailing\n';
    const statement = db.prepare(sql);
    assert.equal(statement.source, sql);
    assert.equal(native.prepare(sql).source, sql);
    assert.equal(statement.database, db);
    assert.equal(statement.busy, false);
  });
});

describe('Statement#bind', () => {
  it('fixes the parameters for every later call', () => {
    const statement = db.prepare('SELECT name FROM people WHERE id = ?').pluck();
    assert.equal(statement.bind(3), statement);
    assert.equal(statement.get(), 'grace');
    assert.deepEqual(statement.all(), ['grace']);
    assert.deepEqual([...statement.iterate()], ['grace']);
    const insert = db.prepare('INSERT INTO pets(owner, name) VALUES (:owner, :name)').bind({ owner: 2, name: 'bound' });
    assert.equal(insert.run().changes, 1);
    assert.equal(insert.run().changes, 1);
    assert.equal(db.prepare("SELECT count(*) FROM pets WHERE name = 'bound'").pluck().get(), 2);
  });

  it('then refuses arguments, in run as in the readers, and a second bind', () => {
    for (const call of [(s) => s.run(1), (s) => s.get(1), (s) => s.all(1), (s) => s.iterate(1)]) {
      same((d) => call(d.prepare('SELECT ? AS x').bind(1)), call.toString());
    }
    assert.throws(() => db.prepare('INSERT INTO pets(name) VALUES (?)').bind('x').run('y'), {
      name: 'TypeError',
      message: 'This statement already has bound parameters',
    });
    same((d) => d.prepare('SELECT ?').bind(1).bind(2));
    assert.throws(() => db.prepare('SELECT ?').bind(1).bind(2), {
      name: 'TypeError',
      message: 'The bind() method can only be invoked once per statement object',
    });
  });

  it('checks arguments at bind time, and a failed bind can be retried', () => {
    for (const args of [[true], [], [1, 2]]) same((d) => d.prepare('SELECT ? AS x').bind(...args), JSON.stringify(args));
    same((d) => {
      const s = d.prepare('SELECT ? AS x');
      outcome(() => s.bind(true));
      return s.bind(5).get();
    });
  });

  it('copies a bound buffer: later changes to it are not seen', () => {
    same((d) => {
      const bytes = Buffer.from([1, 2, 3]);
      const s = d.prepare('SELECT ? AS b').bind(bytes);
      bytes[0] = 9;
      return s.get();
    });
  });

  it('with no parameters, bind() with no arguments is allowed', () => {
    same((d) => d.prepare('SELECT 1 AS one').bind().get());
  });
});

describe('parameter binding', () => {
  const bind = (sql, ...args) => (d) => d.prepare(sql).raw().get(...args);

  it('positional ? takes the arguments in order', () => {
    same(bind('SELECT ?, ?, ?', 1, 'two', null));
    assert.deepEqual(db.prepare('SELECT ?, ?, ?').raw().get(1, 'two', null), [1, 'two', null]);
  });

  it('arrays are spread, at any depth of the argument list', () => {
    for (const args of [[[1, 2, 3]], [[1], 2, [3]], [1, [], [2, 3]], [[1, 2], [3]]]) {
      same(bind('SELECT ?, ?, ?', ...args), JSON.stringify(args));
      assert.deepEqual(bind('SELECT ?, ?, ?', ...args)(db), [1, 2, 3]);
    }
  });

  it('named :a @a $a come from one plain object, by name without the prefix', () => {
    same(bind('SELECT :a, @b, $c, :a', { a: 1, b: 2, c: 3 }));
    assert.deepEqual(bind('SELECT :a, @b, $c, :a', { c: 3, b: 2, a: 1, extra: 'ignored' })(db), [1, 2, 3, 1]);
    same(bind('SELECT :a', Object.assign(Object.create(null), { a: 'no prototype' })));
    same(bind('SELECT :a', { a: undefined }));
    same(bind('SELECT :a', { ':a': 1 }));
  });

  it('?NNN parameters are named by their number, as in better-sqlite3', () => {
    same(bind('SELECT ?2, ?1', { 1: 'one', 2: 'two' }));
    assert.deepEqual(bind('SELECT ?2, ?1, ?2', { 1: 'one', 2: 'two' })(db), ['two', 'one', 'two']);
    assert.deepEqual(bind('SELECT ?1, :x', { 1: 'a', x: 'b' })(db), ['a', 'b']);
  });

  it('named object and positional values mix, in any order', () => {
    for (const args of [[{ a: 'A' }, 1, 2], [1, { a: 'A' }, 2], [1, 2, { a: 'A' }], [[1, 2], { a: 'A' }]]) {
      same(bind('SELECT ?, :a, ?', ...args), JSON.stringify(args));
      assert.deepEqual(bind('SELECT ?, :a, ?', ...args)(db), [1, 'A', 2]);
    }
  });

  it('a missing named parameter is RangeError \'Missing named parameter "a"\'', () => {
    for (const args of [[{ b: 1 }], [{}]]) {
      assert.throws(() => bind('SELECT :a', ...args)(db), { name: 'RangeError', message: 'Missing named parameter "a"' });
    }
    // Not a plain object: its prototype is not the top of its chain.
    same(bind('SELECT :a', Object.create({ a: 1 })));
    same(bind('SELECT :a, :b', { a: 1 }));
    same(bind('SELECT :a', { b: 1 }));
  });

  it('too many or too few values are RangeErrors', () => {
    for (const [sql, args] of [
      ['SELECT ?', [1, 2]],
      ['SELECT ?', [[1, 2]]],
      ['SELECT 1', [1]],
      ['SELECT ?, ?', [1]],
      ['SELECT ?, ?', [[1]]],
      ['SELECT ?', []],
      ['SELECT ?', [{ a: 1 }]],
      ['SELECT :a, ?', [{ a: 1 }]],
      ['SELECT :a, ?', [{ a: 1 }, 2, 3]],
    ]) {
      const ours = same(bind(sql, ...args), `${sql} ${JSON.stringify(args)}`);
      assert.equal(ours.error?.type, 'RangeError', `${sql} ${JSON.stringify(args)}`);
      assert.match(ours.error.message, /^Too (many|few) parameter values were provided$/);
    }
  });

  it('an object of named parameters passed where there are none is ignored, as in better-sqlite3', () => {
    same(bind('SELECT 1', {}));
    same(bind('SELECT ?', 1, { ignored: true }));
  });

  it('two objects of named parameters are a TypeError', () => {
    same(bind('SELECT :a', { a: 1 }, { a: 2 }));
    assert.throws(() => bind('SELECT :a', { a: 1 }, { a: 2 })(db), {
      name: 'TypeError',
      message: 'You cannot specify named parameters in two different objects',
    });
  });

  it('unsupported value types are TypeErrors, positional or named', () => {
    const message = 'SQLite3 can only bind numbers, strings, bigints, buffers, and null';
    for (const value of [true, false, new Date(0), Symbol('s'), () => 1, new Map(), new ArrayBuffer(2), new String('s'), [[1]]]) {
      for (const [sql, args] of [['SELECT ?', [value]], ['SELECT :v', [{ v: value }]]]) {
        assert.throws(() => bind(sql, ...args)(db), { name: 'TypeError', message }, `${sql} ${String(value)}`);
        same(bind(sql, ...args), `${sql} ${String(value)}`);
      }
    }
  });

  it('the same statement binds again after a refused call', () => {
    const statement = db.prepare('SELECT ? AS x');
    assert.throws(() => statement.get(true), TypeError);
    assert.throws(() => statement.get(), RangeError);
    assert.deepEqual(statement.get('fine'), { x: 'fine' });
  });

  it('values from a previous call do not leak into the next', () => {
    const statement = db.prepare('SELECT :a AS a, ? AS b').raw();
    assert.deepEqual(statement.get({ a: 1 }, 2), [1, 2]);
    assert.throws(() => statement.get(3), { name: 'TypeError', message: 'Missing named parameters' });
    assert.deepEqual(statement.get(4, { a: null }), [null, 4]);
  });
});

describe('Database#prepare', () => {
  it('refuses what better-sqlite3 refuses, with the same errors', () => {
    for (const sql of ['', '   ', '-- only a comment', '/* c */ ;', 'SELECT 1; SELECT 2', 'SELEC 1', 'SELECT * FROM nowhere']) {
      const ours = same((d) => d.prepare(sql).source, sql);
      assert.ok(ours.error, sql);
    }
    assert.throws(() => db.prepare(''), { name: 'RangeError', message: 'The supplied SQL string contains no statements' });
    assert.throws(() => db.prepare('SELECT 1; SELECT 2'), { name: 'RangeError', message: 'The supplied SQL string contains more than one statement' });
    assert.throws(() => db.prepare('SELEC 1'), (e) => e instanceof SqliteError && e.code === 'SQLITE_ERROR');
    assert.throws(() => db.prepare(5), { name: 'TypeError', message: 'Expected first argument to be a string' });
  });

  it('allows a trailing semicolon, whitespace and comments', () => {
    for (const sql of ['SELECT 1 AS x;', 'SELECT 1 AS x;  ', 'SELECT 1 AS x; -- done', 'SELECT 1 AS x /* c */ ;;']) {
      same((d) => d.prepare(sql).get(), sql);
    }
  });
});
