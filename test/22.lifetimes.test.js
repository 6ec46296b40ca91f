// Lifetimes: how many guest statements a Database keeps (a synchronous loop of prepare + run
// must not pile them up), and a Database dropped without close() being closed when collected.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Database, SqliteError } from '../src/node.js';
import { DEFAULT_LIVE_STATEMENTS } from '../src/live-statements.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-component-lifetimes-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Collects garbage and lets finalizers run (they wait for the job to end) until `done()`.
async function collectUntil(done) {
  for (let i = 0; i < 50; i++) {
    if (done()) return true;
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('statements prepared in a synchronous loop', () => {
  it('take time linear in their number (twice as many: about twice as long)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t(a INTEGER, b TEXT)');
    const fill = db.transaction((n) => {
      for (let i = 0; i < n; i++) db.prepare('INSERT INTO t VALUES (?, ?)').run(i, 'x');
    });
    fill(2000); // warm-up
    const time = (n) => {
      const start = performance.now();
      fill(n);
      return performance.now() - start;
    };
    const small = time(20000);
    const large = time(40000);
    // Every sqlite3_stmt kept until the loop yields made this 12× (0.5 s, then 6.5 s).
    assert.ok(large / small < 4, `20k statements took ${small.toFixed(0)} ms, 40k took ${large.toFixed(0)} ms`);
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 62000);
    db.close();
  });

  it('stay usable when their guest statement was finalized: SQL, bound values and settings kept', () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    const bound = db.prepare('SELECT b FROM t WHERE a = ?').bind(2).pluck();
    const raw = db.prepare('SELECT a, b FROM t WHERE a = :a').raw();
    const big = db.prepare('SELECT a FROM t').safeIntegers();
    const insert = db.prepare('INSERT INTO t(b) VALUES (?)');
    // An iteration in progress keeps its statement, however many are prepared meanwhile.
    const iterator = db.prepare('SELECT a FROM t ORDER BY a').pluck().iterate();
    assert.deepEqual(iterator.next(), { value: 1, done: false });
    for (let i = 0; i < DEFAULT_LIVE_STATEMENTS * 3; i++) db.prepare(`SELECT ${i} AS n`).get();
    assert.deepEqual(iterator.next(), { value: 2, done: false });
    assert.equal(bound.get(), 'two');
    assert.deepEqual(raw.get({ a: 3 }), [3, 'three']);
    assert.deepEqual(big.get(), { a: 1n });
    assert.deepEqual([...iterator], [3]);
    insert.run('four');
    assert.equal(bound.get(), 'two');
    // Prepared again after a schema change: the new columns.
    const star = db.prepare('SELECT * FROM t WHERE a = 1');
    for (let i = 0; i < DEFAULT_LIVE_STATEMENTS * 3; i++) db.prepare(`SELECT ${i} AS n`).get();
    db.exec('ALTER TABLE t ADD COLUMN c TEXT DEFAULT \'new\'');
    assert.deepEqual(star.get(), { a: 1, b: 'one', c: 'new' });
    // A statement whose table went away fails as SQLite says, when it runs.
    const gone = db.prepare('SELECT * FROM t');
    for (let i = 0; i < DEFAULT_LIVE_STATEMENTS * 3; i++) db.prepare(`SELECT ${i} AS n`).get();
    db.exec('DROP TABLE t');
    assert.throws(() => gone.all(), (e) => e instanceof SqliteError && e.code === 'SQLITE_ERROR' && /no such table: t/.test(e.message));
    db.close();
  });
});

describe('statements of the same SQL', () => {
  it('share a guest statement without seeing each other: values, settings, iterations', () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    const sql = 'SELECT a, b FROM t WHERE a >= ? ORDER BY a';
    const first = db.prepare(sql).bind(2);
    const second = db.prepare(sql).raw();
    const third = db.prepare(sql).pluck();
    assert.deepEqual(first.all(), [{ a: 2, b: 'two' }, { a: 3, b: 'three' }]);
    assert.deepEqual(second.get(3), [3, 'three']);
    // One iterates; the others run meanwhile, on a guest statement of their own.
    const iterator = third.iterate(1);
    assert.equal(iterator.next().value, 1);
    assert.deepEqual(first.get(), { a: 2, b: 'two' });
    assert.deepEqual(second.all(1).length, 3);
    const fourth = db.prepare(sql);
    assert.deepEqual([...fourth.iterate(3)], [{ a: 3, b: 'three' }]);
    assert.deepEqual([...iterator], [2, 3]);
    assert.deepEqual(first.all(), [{ a: 2, b: 'two' }, { a: 3, b: 'three' }]);
    db.close();
  });

  it('are prepared anew after this connection changed the schema: prepare() fails at once, as in SQLite', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t(a)');
    const probe = () => {
      try {
        db.prepare('SELECT a FROM t');
        return 'exists';
      } catch (e) {
        return e.code;
      }
    };
    const kept = db.prepare('SELECT a FROM t'); // alive, so shareable
    assert.equal(probe(), 'exists');
    db.exec('DROP TABLE t');
    assert.equal(probe(), 'SQLITE_ERROR');
    db.prepare('CREATE TABLE t(a)').run();
    assert.equal(probe(), 'exists');
    db.prepare('DROP TABLE t').run();
    assert.equal(probe(), 'SQLITE_ERROR');
    assert.throws(() => kept.all(), { code: 'SQLITE_ERROR' });
    db.close();
  });
});

describe('iterators dropped unfinished', () => {
  it('keep the database busy until collected, then free their statements', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)');
    (() => {
      for (let i = 0; i < 1000; i++) {
        const iterator = db.prepare(`SELECT x + ${i} FROM t`).iterate();
        iterator.next();
      }
    })();
    // As in better-sqlite3: an open iterator refuses writes.
    assert.throws(() => db.exec('INSERT INTO t VALUES (4)'), { name: 'TypeError' });
    const writes = () => {
      try {
        db.exec('INSERT INTO t VALUES (4)');
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(await collectUntil(writes), 'the database stayed busy');
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 4);
    db.close();
  });
});

describe('a Database dropped without close()', () => {
  it('is closed when collected: its transaction rolls back and its lock is let go', async () => {
    const file = join(dir, 'dropped.db');
    const other = new Database(file, { timeout: 0 });
    other.exec('CREATE TABLE t(x)');
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    (() => {
      const db = new Database(file);
      // A user function and a statement that close over the database must not keep it alive.
      db.function('whose', () => db.name);
      const insert = db.prepare('INSERT INTO t VALUES (whose())');
      db.exec('BEGIN IMMEDIATE');
      insert.run();
      registry.register(db, null);
    })();
    assert.throws(() => other.exec('INSERT INTO t VALUES (2)'), { code: 'SQLITE_BUSY' });
    const writes = () => {
      try {
        other.exec('INSERT INTO t VALUES (2)');
        return true;
      } catch (e) {
        if (e.code !== 'SQLITE_BUSY') throw e;
        return false;
      }
    };
    assert.ok(await collectUntil(() => collected && writes()), 'the other connection still cannot write');
    assert.deepEqual(other.prepare('SELECT x FROM t').pluck().all(), [2]);
    other.close();
  });

  it('gives back its file descriptors', async () => {
    const before = openDescriptors();
    (() => {
      for (let i = 0; i < 40; i++) {
        const db = new Database(join(dir, `fd-${i}.db`));
        db.exec('CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES (1)');
      }
    })();
    assert.ok(openDescriptors() >= before + 40);
    assert.ok(await collectUntil(() => openDescriptors() <= before), `${openDescriptors() - before} descriptors still open`);
  });
});
