// db.function and db.aggregate, each scenario run on ours and on better-sqlite3 (the oracle),
// which must agree: results, error classes and messages, and what a callback may do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database, SqliteError } from '../src/node.js';
import { agree, engines, outcome } from './support/oracle.js';
import { idleInstanceCount } from '../src/component.js';


// What a call did: its value, or its error's class, message and code.

describe('db.function', () => {
  it('passes every value type in and out, with arity from fn.length or varargs', () => {
    const out = agree((db) => {
      db.function('pair', (a, b) => `${typeof a}:${a}|${typeof b}:${b}`);
      db.function('count_args', { varargs: true }, (...xs) => xs.length);
      db.function('same', (x) => x);
      db.function('twice', { safeIntegers: true }, (x) => x * 2n);
      db.function('reversed', (b) => Buffer.from([...b].reverse()));
      db.function('nada', () => undefined);
      return [
        db.prepare("SELECT pair(1, 'x') AS p, pair(2.5, NULL) AS q, count_args() AS c0, count_args(1, 2, 3) AS c3").get(),
        db.prepare("SELECT same(1) AS i, same(1.5) AS r, same('t') AS t, same(x'00ff') AS b, same(NULL) AS n").get(),
        db.prepare('SELECT twice(4611686018427387903) AS v').safeIntegers().get(),
        db.prepare("SELECT reversed(x'010203') AS r, nada() AS n").get(),
        outcome(() => db.prepare('SELECT pair(1)').get()),
      ];
    });
    assert.deepEqual(out[2], { v: 2n ** 63n - 2n });
    assert.equal(out[4].error, 'SqliteError');
  });

  it('a thrown exception reaches the caller as itself; the statement and database stay usable', () => {
    for (const open of Object.values(engines)) {
      const db = open(':memory:');
      const thrown = new RangeError('from the callback');
      let calls = 0;
      db.function('fails_on', (x) => {
        calls++;
        if (x === 3) throw thrown;
        return x;
      });
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3), (4)');
      const select = db.prepare('SELECT fails_on(x) AS v FROM t');
      assert.throws(() => select.all(), (e) => e === thrown);
      const seen = [];
      assert.throws(() => {
        for (const row of select.iterate()) seen.push(row.v);
      }, (e) => e === thrown);
      assert.deepEqual(seen, [1, 2]);
      db.function('throws_string', () => {
        throw 'plain string'; // eslint-disable-line no-throw-literal
      });
      assert.throws(() => db.prepare('SELECT throws_string()').get(), (e) => e === 'plain string');
      assert.deepEqual(db.prepare('SELECT fails_on(1) AS v').get(), { v: 1 });
      assert.ok(calls >= 7);
      db.close();
    }
  });

  it('refuses invalid return values as better-sqlite3 does', () => {
    const out = agree((db) => {
      db.function('gives', (kind) => ({ bool: true, object: {}, big: 2n ** 64n, fn: () => 1 })[kind]);
      return ['bool', 'object', 'big', 'fn'].map((k) => outcome(() => db.prepare('SELECT gives(?)').get(k)));
    });
    assert.deepEqual(out.map((o) => o.error), ['TypeError', 'TypeError', 'RangeError', 'TypeError']);
  });

  it('a callback that uses its database finds it busy, and it stays usable afterwards', () => {
    const out = agree((db) => {
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
      const read = db.prepare('SELECT x FROM t');
      const attempts = {
        prepare: () => db.prepare('SELECT 1'),
        exec: () => db.exec('SELECT 1'),
        run: () => read.get(),
        pragma: () => db.pragma('user_version'),
        close: () => db.close(),
        function: () => db.function('other', () => 1),
        serialize: () => db.serialize(),
        transaction: () => db.transaction(() => 1),
        pluck: () => read.pluck(),
        bind: () => db.prepare('SELECT ?'),
        columns: () => read.columns(),
      };
      const seen = {};
      db.function('reenter', (what) => {
        seen[what] = outcome(attempts[what]);
        return 0;
      });
      for (const what of Object.keys(attempts)) db.prepare('SELECT reenter(?)').get(what);
      // What stays allowed, as there: reading these properties, the safe-integers default,
      // unsafe mode (which takes effect from the next statement).
      db.function('allowed', () => {
        seen.allowed = outcome(() => [db.open, db.name, db.inTransaction, db.defaultSafeIntegers(false) === db, db.unsafeMode() === db]);
        return 0;
      });
      db.exec('BEGIN');
      db.prepare('SELECT allowed()').get();
      db.exec('COMMIT');
      seen.unsafeAfter = outcome(() => db.pragma('writable_schema = 1') && db.prepare("UPDATE sqlite_master SET sql = sql WHERE name = 't'").run().changes);
      db.unsafeMode(false);
      return { seen, after: read.get(), open: db.open };
    });
    assert.deepEqual(out.seen.allowed, { value: [true, ':memory:', true, true, true] });
    assert.deepEqual(out.seen.unsafeAfter, { value: 1 });
    delete out.seen.allowed;
    delete out.seen.unsafeAfter;
    for (const result of Object.values(out.seen)) {
      assert.deepEqual(result, { error: 'TypeError', message: 'This database connection is busy executing a query', code: undefined });
    }
    assert.deepEqual(out.after, { x: 1 });
  });

  it('deterministic and directOnly reach SQLite', () => {
    const out = agree((db) => {
      db.function('det', { deterministic: true }, (x) => x);
      db.function('nondet', (x) => x);
      db.function('direct', { directOnly: true }, (x) => x);
      db.exec('CREATE TABLE t(x)');
      return [
        outcome(() => db.exec('CREATE INDEX by_det ON t(det(x))') && 'ok'),
        outcome(() => db.exec('CREATE INDEX by_nondet ON t(nondet(x))') && 'ok'),
        outcome(() => db.exec('CREATE VIEW v AS SELECT direct(x) AS d FROM t') && 'ok'),
        outcome(() => db.prepare('SELECT * FROM v').all()),
        outcome(() => db.prepare('SELECT direct(1) AS d').get()),
      ];
    });
    assert.equal(out[0].value, 'ok');
    assert.equal(out[1].code, 'SQLITE_ERROR');
    assert.match(out[3].message, /unsafe use of direct\(\)/);
  });

  it('validates its arguments with better-sqlite3\'s classes and messages', () => {
    const fn = (a) => a;
    const calls = [
      () => [123, fn], () => ['f'], () => ['f', {}, 'not a function'], () => ['f', 'options', fn], () => ['', fn],
      () => ['f', { varargs: 1 }, fn], () => ['f', { safeIntegers: 'yes' }, fn], () => ['f', { deterministic: null }, fn],
      () => ['f', Object.defineProperty(() => 1, 'length', { value: -1 })],
      () => ['f', Object.defineProperty(() => 1, 'length', { value: 101 })],
      () => ['f', null, fn],
    ];
    agree((db) => calls.map((args) => outcome(() => db.function(...args()) && 'ok')));
  });

  it('replaces a function of the same name, and a closed Database\'s functions do not outlive it', () => {
    agree((db) => {
      db.function('v', () => 1);
      const first = db.prepare('SELECT v() AS v').get();
      db.function('v', () => 2);
      return [first, db.prepare('SELECT v() AS v').get()];
    });
    const db = new Database(':memory:');
    db.function('only_here', () => 1);
    const idle = idleInstanceCount();
    db.close();
    assert.equal(idleInstanceCount(), idle + 1);
    const next = new Database(':memory:');
    assert.throws(() => next.prepare('SELECT only_here()'), (e) => e instanceof SqliteError && /no such function: only_here/.test(e.message));
    next.close();
  });
});

describe('db.aggregate', () => {
  it('start (value or function), step, result, an empty group, and safeIntegers', () => {
    const out = agree((db) => {
      db.exec('CREATE TABLE t(g, x); INSERT INTO t VALUES (1, 1), (1, 2), (2, 10), (2, 20), (2, 30)');
      db.aggregate('total', { start: 0, step: (acc, x) => acc + x });
      db.aggregate('listed', { start: () => [], step: (list, x) => { list.push(x); }, result: (list) => list.join('+') });
      db.aggregate('bigsum', { start: 0n, step: (acc, x) => acc + x, safeIntegers: true });
      db.aggregate('pairs', { start: 0, step: (acc, a, b) => acc + a * b });
      return [
        db.prepare('SELECT g, total(x) AS t, listed(x) AS l FROM t GROUP BY g ORDER BY g').all(),
        db.prepare('SELECT total(x) AS t, listed(x) AS l FROM t WHERE 0').get(),
        db.prepare('SELECT bigsum(x) AS s FROM t').safeIntegers().get(),
        db.prepare('SELECT pairs(g, x) AS p FROM t').get(),
        outcome(() => db.prepare('SELECT pairs(x) FROM t').get()),
      ];
    });
    assert.deepEqual(out[0], [{ g: 1, t: 3, l: '1+2' }, { g: 2, t: 60, l: '10+20+30' }]);
    assert.deepEqual(out[1], { t: 0, l: '' });
    assert.deepEqual(out[2], { s: 63n });
  });

  it('with inverse, a window function, frame by frame as in better-sqlite3', () => {
    const out = agree((db) => {
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3), (4), (5)');
      db.aggregate('wsum', { start: 0, step: (acc, x) => acc + x, inverse: (acc, x) => acc - x });
      db.aggregate('wlist', { start: () => [], step: (l, x) => [...l, x], inverse: (l) => l.slice(1), result: (l) => l.join(',') });
      return [
        db.prepare('SELECT wsum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS w FROM t').pluck().all(),
        db.prepare('SELECT wlist(x) OVER (ORDER BY x ROWS 2 PRECEDING) AS w FROM t').pluck().all(),
        db.prepare('SELECT wsum(x) AS s FROM t').get(),
        outcome(() => db.prepare('SELECT total(x) OVER () FROM t').all()),
      ];
    });
    assert.deepEqual(out[0], [3, 6, 9, 12, 9]);
    assert.deepEqual(out[1], ['1', '1,2', '1,2,3', '2,3,4', '3,4,5']);
  });

  it('an exception in start, step or result reaches the caller; the database stays usable', () => {
    for (const open of Object.values(engines)) {
      const db = open(':memory:');
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)');
      const errors = { start: new Error('start'), step: new Error('step'), result: new Error('result') };
      db.aggregate('bad_start', { start: () => { throw errors.start; }, step: (acc, x) => acc });
      db.aggregate('bad_step', { start: 0, step: (acc, x) => { if (x === 2) throw errors.step; return acc + x; } });
      db.aggregate('bad_result', { start: 0, step: (acc, x) => acc + x, result: () => { throw errors.result; } });
      for (const [name, error] of Object.entries(errors)) {
        assert.throws(() => db.prepare(`SELECT bad_${name}(x) FROM t`).get(), (e) => e === error, name);
      }
      db.aggregate('fine', { start: 0, step: (acc, x) => acc + x });
      assert.deepEqual(db.prepare('SELECT fine(x) AS f FROM t').get(), { f: 6 });
      db.close();
    }
  });

  it('validates its options with better-sqlite3\'s classes and messages', () => {
    const step = (acc, x) => acc + x;
    const calls = [
      [1, { step }], ['a'], ['a', null], ['', { step }], ['a', {}], ['a', { step: 1 }], ['a', { step, inverse: 'x' }],
      ['a', { step, result: {} }], ['a', { step, varargs: 'no' }],
      ['a', { step: Object.defineProperty(() => 1, 'length', { value: 102 }) }],
      ['a', { step, start: 5, deterministic: true, directOnly: true }],
    ];
    agree((db) => calls.map((args) => outcome(() => db.aggregate(...args) && 'ok')));
  });
});
