// db.limit, db.dbConfig, db.progressHandler and the nofollow option: what the shell's .limit,
// .dbconfig, .progress, Ctrl-C and -nofollow stand on (better-sqlite3 has none of them; the facts
// are SQLite's).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const SQLITE_LIMIT_LENGTH = 0;
const SQLITE_LIMIT_COLUMN = 2;
const SQLITE_LIMIT_ATTACHED = 7;
const SQLITE_DBCONFIG_ENABLE_FKEY = 1002;
const SQLITE_DBCONFIG_DEFENSIVE = 1010;
const SQLITE_DBCONFIG_WRITABLE_SCHEMA = 1011;

describe('Database#limit', () => {
  it('reads a limit without changing it, and sets one, returning what it was', () => {
    const db = new Database(':memory:');
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN), 2000);
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN, 6), 2000);
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN), 6);
    assert.throws(() => db.exec('CREATE TABLE t(a, b, c, d, e, f, g)'), (e) => e instanceof SqliteError && /too many columns/.test(e.message));
    db.exec('CREATE TABLE t(a, b, c, d, e, f)');
    db.close();
  });

  it('keeps LENGTH within the longest string V8 holds', () => {
    const db = new Database(':memory:');
    assert.equal(db.limit(SQLITE_LIMIT_LENGTH), 0x1fffffe8);
    db.limit(SQLITE_LIMIT_LENGTH, 0x7fffffff);
    assert.equal(db.limit(SQLITE_LIMIT_LENGTH), 0x1fffffe8);
    db.limit(SQLITE_LIMIT_LENGTH, 100);
    assert.throws(() => db.prepare("SELECT printf('%.200c', 'x')").get(), { code: 'SQLITE_TOOBIG' });
    db.close();
  });

  it('lowers a limit above SQLite\'s compiled maximum to it', () => {
    const db = new Database(':memory:');
    db.limit(SQLITE_LIMIT_ATTACHED, 1000);
    assert.equal(db.limit(SQLITE_LIMIT_ATTACHED), 10);
    db.close();
  });

  it('refuses what is no limit or no value', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.limit('length'), TypeError);
    assert.throws(() => db.limit(-1), TypeError);
    assert.throws(() => db.limit(99), RangeError);
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN, -1), RangeError);
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN, 1.5), RangeError);
    db.close();
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN), { name: 'TypeError', message: 'The database connection is not open' });
  });
});

describe('Database#dbConfig', () => {
  it('asks without changing, and turns options on and off', () => {
    const db = new Database(':memory:');
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), true); // as better-sqlite3 opens it
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), true);
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_ENABLE_FKEY), true); // this build's default
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_ENABLE_FKEY, false), false);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 0);
    db.close();
  });

  it('with defensive off and writable_schema on, a sqlite_ table can be made, as the CLI makes its own', () => {
    const db = new Database(':memory:');
    const sql = 'CREATE TABLE temp.sqlite_parameters(key TEXT PRIMARY KEY, value) WITHOUT ROWID';
    assert.throws(() => db.exec(sql), /reserved for internal use/);
    db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, false);
    db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, true);
    db.exec(sql);
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, false), false);
    db.close();
  });

  it('reports an unknown option as SQLite does, and misuse as a TypeError', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.dbConfig(4242), { name: 'SqliteError', code: 'SQLITE_ERROR' });
    assert.throws(() => db.dbConfig('defensive'), TypeError);
    assert.throws(() => db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, 1), TypeError);
    db.close();
    assert.throws(() => db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), TypeError);
  });
});

describe('the nofollow option', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nofollow-'));
    new Database(join(dir, 'real.db')).exec('CREATE TABLE t(x)').close();
    symlinkSync('real.db', join(dir, 'link.db'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('sub', join(dir, 'sublink'));
    new Database(join(dir, 'sub', 'inner.db')).close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a database file reached through a symlink, as SQLITE_OPEN_NOFOLLOW does', () => {
    for (const name of ['link.db', 'sublink/inner.db', 'sublink/../real.db']) {
      const file = `${dir}/${name}`; // as given: join() would take the '..' away
      assert.throws(() => new Database(file, { nofollow: true }),
        (e) => e instanceof SqliteError && e.code === 'SQLITE_CANTOPEN_SYMLINK', name);
      new Database(file).close(); // and opens it without
    }
  });

  it('opens real names, and refuses symlinks to ATTACH too', () => {
    const db = new Database(join(dir, 'real.db'), { nofollow: true });
    db.exec(`ATTACH '${join(dir, 'sub', 'inner.db')}' AS i`);
    assert.throws(() => db.exec(`ATTACH '${join(dir, 'link.db')}' AS l`), { code: 'SQLITE_CANTOPEN_SYMLINK' });
    db.close();
  });

  it('must be a boolean', () => {
    assert.throws(() => new Database(':memory:', { nofollow: 1 }), { name: 'TypeError', message: 'Expected the "nofollow" option to be a boolean' });
  });
});

describe('Database#progressHandler', () => {
  // Runs for minutes unless something stops it.
  const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000000000) SELECT count(*) FROM c';
  const counting = (n) => `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT ${n}) SELECT count(*) FROM c`;
  const isInterrupt = (e) => e instanceof SqliteError && e.code === 'SQLITE_INTERRUPT' && e.message === 'interrupted';

  it('stops a running statement when the handler says so, and the database goes on', () => {
    const db = new Database(':memory:');
    let calls = 0;
    db.progressHandler(1000, () => ++calls >= 20);
    assert.throws(() => db.prepare(endless).get(), isInterrupt);
    assert.equal(calls, 20);
    assert.equal(db.prepare('SELECT 42').pluck().get(), 42);
    db.progressHandler(0);
    calls = 0;
    assert.equal(db.prepare(counting(50000)).pluck().get(), 50000);
    assert.equal(calls, 0);
    db.close();
  });

  it('is called about every N steps, and not at all once removed', () => {
    const db = new Database(':memory:');
    const counts = [];
    for (const steps of [100, 1000]) {
      let calls = 0;
      db.progressHandler(steps, () => void calls++);
      db.prepare(counting(20000)).get();
      counts.push(calls);
    }
    // Ten times the steps, about a tenth of the calls.
    assert.ok(counts[0] > 0 && Math.abs(counts[0] / counts[1] - 10) < 1, counts.join(', '));
    let calls = 0;
    db.progressHandler(null);
    db.progressHandler(0, () => void calls++);
    db.prepare(counting(20000)).get();
    assert.equal(calls, 0);
    db.close();
  });

  it('lets another thread cancel a query through a flag the handler reads', async () => {
    const { Worker } = await import('node:worker_threads');
    const db = new Database(':memory:');
    const flag = new Int32Array(new SharedArrayBuffer(4));
    db.progressHandler(1000, () => Atomics.load(flag, 0) === 1);
    const worker = new Worker('const { workerData } = require("node:worker_threads"); setTimeout(() => Atomics.store(workerData, 0, 1), 300);', { eval: true, workerData: flag });
    const started = Date.now();
    assert.throws(() => db.prepare(endless).get(), isInterrupt);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 10_000, `${took} ms`);
    await worker.terminate();
    assert.equal(db.prepare('SELECT 1').pluck().get(), 1);
    db.close();
  });

  it('an interrupted change inside a transaction rolls the transaction back, as SQLite does', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t(x); BEGIN; INSERT INTO t VALUES (1)');
    let armed = false;
    db.progressHandler(1000, () => armed);
    armed = true;
    assert.throws(() => db.exec(`INSERT INTO t SELECT x FROM (${endless.replace('SELECT count(*) FROM c', 'SELECT x FROM c')})`), isInterrupt);
    armed = false;
    assert.equal(db.inTransaction, false);
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 0);
    db.close();
  });

  it('delivers the rows read before an interrupted iteration, then throws', () => {
    const db = new Database(':memory:');
    let stop = false;
    db.progressHandler(100, () => stop);
    const seen = [];
    assert.throws(() => {
      for (const { x } of db.prepare('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000000) SELECT x FROM c').iterate()) {
        seen.push(x);
        if (x === 500) stop = true;
      }
    }, isInterrupt);
    // Rows come in batches (a handler does not make them come one by one): the batch that was
    // being read when the flag rose is cut short.
    assert.ok(seen.length >= 500 && seen.length < 1500, `${seen.length}`);
    assert.deepEqual(seen.slice(0, 3), [1, 2, 3]);
    db.close();
  });

  it('throws what the handler threw, and the handler cannot use its connection', () => {
    const db = new Database(':memory:');
    const boom = new Error('boom');
    db.progressHandler(10, () => {
      throw boom;
    });
    assert.throws(() => db.prepare(endless).get(), (e) => e === boom);
    db.progressHandler(10, () => db.prepare('SELECT 1').get());
    assert.throws(() => db.prepare(endless).get(), (e) => e instanceof TypeError && /busy executing a query/.test(e.message));
    db.progressHandler(0);
    assert.equal(db.prepare('SELECT 2').pluck().get(), 2);
    db.close();
  });

  it('is the connection\'s own: a later Database on the same instance has none', () => {
    const first = new Database(':memory:');
    first.progressHandler(1, () => true);
    assert.throws(() => first.prepare(counting(100)).get(), isInterrupt);
    first.close();
    const second = new Database(':memory:');
    assert.equal(second.prepare(counting(100)).pluck().get(), 100);
    second.close();
  });

  it('refuses what is no number of steps or no function, and a closed database', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.progressHandler('10', () => true), TypeError);
    assert.throws(() => db.progressHandler(1.5, () => true), TypeError);
    assert.throws(() => db.progressHandler(-1, () => true), RangeError);
    assert.throws(() => db.progressHandler(2 ** 31, () => true), RangeError);
    assert.throws(() => db.progressHandler(10), TypeError);
    assert.throws(() => db.progressHandler(10, 'f'), TypeError);
    db.close();
    assert.throws(() => db.progressHandler(10, () => true), TypeError);
  });
});
