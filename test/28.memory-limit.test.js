// Memory exhaustion (issue 18, part 2). The `maxMemory` option caps the linear memory of a
// database's instance (wit: memory-limit): past it a statement fails with SQLITE_NOMEM and the
// database goes on. And allocation failures injected one at a time at every Nth allocation
// (wit: fail-allocation) over a workload of every kind of write: each one a SqliteError the
// caller sees, or the instance aborted (InstanceAbortedError, counted and printed); afterwards
// the database works, and the file holds exactly the transactions that reported success
// (native SQLite replays those as the oracle). OOM_EVERY=1 tries every N; the default strides.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, InstanceAbortedError, SqliteError } from '../src/node.js';
import { instantiateDatabase, releaseInstance } from '../src/component.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const MiB = 1024 * 1024;
const isCode = (code) => (e) => e instanceof SqliteError && e.code === code;

let dir;
before(async () => {
  await Database.ready();
  dir = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), 'sqlite-component-28-')));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// Statements that need far more than 32 MiB, each in its own way.
const HUNGRY = [
  'SELECT length(randomblob(64 * 1024 * 1024))',
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000000) SELECT length(group_concat(x, ',')) FROM c",
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000) SELECT count(*) FROM (SELECT randomblob(1000) AS r FROM c ORDER BY r)',
];

describe('maxMemory', () => {
  it('fails what would grow past it with SQLITE_NOMEM, and the database goes on', () => {
    const db = new Database(':memory:', { vfs: 'memory', maxMemory: 32 * MiB });
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v); INSERT INTO t(v) VALUES (1), (2)');
    for (const sql of HUNGRY) assert.throws(() => db.prepare(sql).get(), isCode('SQLITE_NOMEM'), sql);
    assert.throws(() => db.prepare('INSERT INTO t(v) VALUES (randomblob(40 * 1024 * 1024))').run(), isCode('SQLITE_NOMEM'));
    // Inside a transaction: the statement fails, what the transaction did before it stays.
    db.exec('BEGIN; INSERT INTO t(v) VALUES (3)');
    assert.throws(() => db.exec('INSERT INTO t(v) VALUES (randomblob(40 * 1024 * 1024))'), isCode('SQLITE_NOMEM'));
    const kept = db.inTransaction; // SQLite may roll a whole transaction back on NOMEM
    if (kept) db.exec('COMMIT');
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY id').pluck().all(), kept ? [1, 2, 3] : [1, 2]);
    db.exec("INSERT INTO t(v) VALUES (randomblob(4 * 1024 * 1024))");
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });

  it('is what makes those statements fail: without it they run', () => {
    const db = new Database(':memory:', { vfs: 'memory' });
    for (const sql of HUNGRY) assert.ok(db.prepare(sql).pluck().get() > 0, sql);
    db.close();
  });

  it('leaves SQLite\'s own length limit as it was: too big is SQLITE_TOOBIG', () => {
    const db = new Database(':memory:', { vfs: 'memory', maxMemory: 32 * MiB });
    assert.throws(() => db.prepare('SELECT zeroblob(2000000000)').get(), isCode('SQLITE_TOOBIG'));
    assert.equal(db.prepare('SELECT 1').pluck().get(), 1);
    db.close();
  });

  it('caps files too, and an instance handed back is no longer capped for the next Database', () => {
    const file = join(dir, 'capped.db');
    const db = new Database(file, { maxMemory: 16 * MiB });
    db.exec('CREATE TABLE t(x)');
    assert.throws(() => db.prepare('INSERT INTO t VALUES (randomblob(20 * 1024 * 1024))').run(), isCode('SQLITE_NOMEM'));
    db.prepare('INSERT INTO t VALUES (randomblob(1024 * 1024))').run();
    db.close();
    const native = new NativeDatabase(file, { readonly: true });
    assert.equal(native.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    native.close();
    // The next Database takes the instance just handed back (the pool is last in, first out).
    const next = new Database(':memory:', { vfs: 'memory' });
    assert.equal(next.prepare(HUNGRY[0]).pluck().get(), 64 * MiB);
    next.close();
  });

  it('rejects a value that is no byte count', () => {
    for (const bad of ['32M', -1, 0, 1.5, true]) {
      assert.throws(() => new Database(':memory:', { maxMemory: bad }), TypeError, String(bad));
    }
    assert.throws(() => new Database(':memory:', { maxMemory: 2 ** 33 }), RangeError);
    assert.doesNotThrow(() => new Database(':memory:', { maxMemory: null }).close());
  });
});

// Every step one transaction (BEGIN … COMMIT where it has several statements): injected
// failures must leave each whole or absent.
const WORKLOAD = [
  'BEGIN; CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b BLOB); CREATE INDEX ta ON t(a); CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID; COMMIT',
  (db) => {
    const insert = db.prepare('INSERT INTO t(a, b) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 40; i++) insert.run(`row-${i}-${'x'.repeat(i * 10)}`, Buffer.alloc(200 + i, i));
    })();
  },
  "BEGIN; UPDATE t SET a = a || '-u' WHERE id % 3 = 0; INSERT INTO w SELECT a, id FROM t WHERE id % 2 = 0; COMMIT",
  'SAVEPOINT s1; DELETE FROM t WHERE id % 5 = 0; RELEASE s1',
  "INSERT INTO t(a, b) SELECT a || '-copy', zeroblob(3000) FROM t WHERE id < 10",
  'BEGIN; CREATE VIEW v AS SELECT a FROM t WHERE id > 5; CREATE TRIGGER tw AFTER DELETE ON t BEGIN DELETE FROM w WHERE v = old.id; END; COMMIT',
  'DELETE FROM t WHERE id % 4 = 0',
  (db) => db.prepare('SELECT * FROM v ORDER BY a').all(),
  'VACUUM',
  'PRAGMA journal_mode = WAL',
  "BEGIN; INSERT INTO t(a, b) VALUES ('in-wal', x'00ff'); UPDATE w SET v = -v; COMMIT",
  'PRAGMA wal_checkpoint(TRUNCATE)',
];
const CONTENT = [
  'SELECT id, a, hex(b) AS b FROM t ORDER BY id',
  'SELECT k, v FROM w ORDER BY k',
  "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
];
const run = (db, step) => (typeof step === 'string' ? db.exec(step) : step(db));
// What the database holds; a table a failed step never made reads as its error.
const content = (db) => CONTENT.map((sql) => {
  try {
    return db.prepare(sql).all();
  } catch (e) {
    return e.message;
  }
});

// The next Database takes `instance`: handed to the pool, which is last in, first out.
function nextDatabaseInstance() {
  const instance = instantiateDatabase();
  releaseInstance(instance);
  return instance;
}

// One trial: the Nth allocation after the file is open fails. Returns what happened.
function trial(n, file) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
  const instance = nextDatabaseInstance();
  const db = new Database(file);
  instance.api.failAllocation(n);
  const done = [];
  const errors = [];
  let aborted = null;
  for (const [i, step] of WORKLOAD.entries()) {
    try {
      run(db, step);
      done.push(i);
    } catch (e) {
      if (e instanceof InstanceAbortedError) {
        aborted = { step: i, error: e };
        break;
      }
      assert.ok(e instanceof SqliteError, `N=${n}, step ${i}: ${e?.stack ?? e}`);
      errors.push(e.code);
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }
  const left = aborted ? 0 : instance.api.failAllocation(0);
  if (!aborted) {
    // The database works on: what it holds is readable and sound.
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `N=${n}`);
    db.close();
  }
  return { fired: left === 0, done, errors, aborted };
}

// Native SQLite replays the steps that reported success; with an abort, the step in flight may
// have committed or not.
function expected(done, file) {
  fs.rmSync(file, { force: true });
  const native = new NativeDatabase(file);
  for (const i of done) run(native, WORKLOAD[i]);
  const rows = content(native);
  native.close();
  return rows;
}

describe('an allocation failing at every point of a workload', () => {
  it('a failed cabi_realloc (the host handing over SQL or a value) is SQLITE_NOMEM, and nothing is written', () => {
    const instance = nextDatabaseInstance();
    const db = new Database(':memory:', { vfs: 'memory' });
    db.exec('CREATE TABLE t(x)');
    // The first allocation of a call with SQL is the SQL's own copy, made by cabi_realloc.
    instance.api.failAllocation(1);
    assert.throws(() => db.exec("INSERT INTO t VALUES ('a')"), isCode('SQLITE_NOMEM'));
    assert.equal(instance.api.failAllocation(0), 0);
    assert.deepEqual(db.prepare('SELECT count(*) FROM t').pluck().all(), [0]);
    db.exec("INSERT INTO t VALUES ('b')");
    assert.deepEqual(db.prepare('SELECT x FROM t').pluck().all(), ['b']);
    db.close();
  });


  it('is a SqliteError or a contained abort; the file holds exactly the transactions that succeeded', () => {
    const file = join(dir, 'oom.db');
    const oracle = join(dir, 'oracle.db');
    const every = Number(process.env.OOM_EVERY) || 0;
    const stats = { trials: 0, codes: new Map(), aborts: [] };
    let n = 1;
    for (;;) {
      const r = trial(n, file);
      if (!r.fired) break;
      stats.trials++;
      for (const code of r.errors) stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
      const reopened = new Database(file);
      assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok', `N=${n}`);
      const got = content(reopened);
      reopened.close();
      if (r.aborted) {
        stats.aborts.push(`N=${n} step ${r.aborted.step}: ${r.aborted.error.cause?.message ?? r.aborted.error.message}`);
        const without = expected(r.done, oracle);
        const withIt = expected([...r.done, r.aborted.step], oracle);
        assert.ok([without, withIt].some((e) => JSON.stringify(e) === JSON.stringify(got)), `N=${n}: after the abort`);
      } else {
        assert.deepEqual(got, expected(r.done, oracle), `N=${n}: errors ${r.errors}`);
      }
      // Every allocation among the first 60; then a stride that keeps the default run short.
      n += every || (n < 60 ? 1 : 1 + Math.floor(n / 40));
    }
    const codes = [...stats.codes].map(([c, k]) => `${c} ${k}`).join(', ');
    console.log(`oom: ${stats.trials} failure points up to allocation ${n}; errors: ${codes}; aborts: ${stats.aborts.length}`);
    for (const a of stats.aborts.slice(0, 5)) console.log(`oom: abort ${a}`);
    assert.ok(stats.trials > 100, `only ${stats.trials} failure points: is the workload's instance the one injected?`);
    assert.ok(stats.codes.get('SQLITE_NOMEM') > 0);
  });
});
