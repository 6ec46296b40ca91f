// Databases on an async VFS, through JSPI: an AsyncDatabase whose methods return promises, on
// a VFS whose methods do (test/support/async-vfs.js wraps the memory VFS so; in browsers the
// indexeddb VFS is one). Node 20 has no JSPI: there the refusal is what is tested.
import { describe, it, before } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { Database, MemoryVfs, SqliteError, registerVfs } from '../src/node.js';
import { AsyncWrapperVfs } from './support/async-vfs.js';

const jspi = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
const vfs = new AsyncWrapperVfs('async-memory', new MemoryVfs());
before(() => registerVfs(vfs));

const open = (name, options = {}) => Database.open(name, { vfs: 'async-memory', ...options });
const isCode = (code) => (e) => e instanceof SqliteError && e.code === code;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

describe('an async VFS without JSPI', { skip: jspi && 'this Node has JSPI' }, () => {
  it('is refused with a clear error, and the synchronous API refuses it everywhere', async () => {
    await assert.rejects(open('a.db'), (e) => e instanceof TypeError && /JSPI/.test(e.message));
    assert.throws(() => new Database('a.db', { vfs: 'async-memory' }), (e) => e instanceof TypeError && /await Database\.open/.test(e.message));
  });
});

describe('AsyncDatabase', { skip: !jspi && 'no JSPI in this Node (it comes with Node 24)' }, () => {
  it('opens, writes and reads with promises, and the data outlives the connection', async () => {
    const db = await open('basic.db');
    assert.equal(db.vfs, 'async-memory');
    assert.equal(db.name, 'basic.db');
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v); INSERT INTO t(v) VALUES (1), (2.5), (\'x\'), (NULL), (x\'0102\')');
    const st = await db.prepare('SELECT id, v FROM t WHERE id >= ? ORDER BY id');
    assert.deepEqual(await st.all(4), [{ id: 4, v: null }, { id: 5, v: Buffer.from([1, 2]) }]);
    assert.deepEqual(await st.get(2), { id: 2, v: 2.5 });
    assert.deepEqual(await st.raw().all(5), [[5, Buffer.from([1, 2])]]);
    assert.deepEqual(await st.pluck().all(3), [3, 4, 5]);
    assert.deepEqual(await st.safeIntegers().pluck().get(1), 1n);
    const insert = await db.prepare('INSERT INTO t(v) VALUES (:v)');
    assert.deepEqual(await insert.run({ v: 'named' }), { changes: 1, lastInsertRowid: 6 });
    assert.deepEqual(st.columns().map((c) => [c.name, c.table]), [['id', 't'], ['v', 't']]);
    assert.equal(await db.pragma('integrity_check', { simple: true }), 'ok');
    await db.close();
    assert.equal(db.open, false);
    await assert.rejects(db.exec('SELECT 1'), (e) => e instanceof TypeError && /not open/.test(e.message));

    const again = await open('basic.db');
    assert.equal(await (await again.prepare('SELECT count(*) FROM t')).pluck().get(), 6);
    await again.close();
  });

  it('iterates in batches, and an iteration left early frees the statement', async () => {
    const db = await open('iterate.db');
    await db.exec('CREATE TABLE n(x); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000) INSERT INTO n SELECT x FROM c');
    const st = await db.prepare('SELECT x FROM n ORDER BY x');
    let sum = 0;
    for await (const { x } of st.iterate()) sum += x;
    assert.equal(sum, 500500);
    for await (const { x } of st.iterate()) if (x === 10) break;
    // Freed: the write lock can be taken, and the statement runs again.
    await db.exec('INSERT INTO n VALUES (0)');
    assert.equal((await st.all()).length, 1001);
    await db.close();
  });

  it('reports SQLite errors with their codes, and bad arguments as TypeError or RangeError', async () => {
    const db = await open('errors.db');
    await assert.rejects(db.exec('SELEKT 1'), (e) => isCode('SQLITE_ERROR')(e) && /syntax error/.test(e.message));
    await db.exec('CREATE TABLE u(x UNIQUE); INSERT INTO u VALUES (1)');
    await assert.rejects(db.exec('INSERT INTO u VALUES (1)'), isCode('SQLITE_CONSTRAINT_UNIQUE'));
    await assert.rejects(db.prepare(''), RangeError);
    await assert.rejects(db.prepare('SELECT 1; SELECT 2'), RangeError);
    const st = await db.prepare('SELECT ?');
    await assert.rejects(st.get(), RangeError);
    await assert.rejects(st.get({}), RangeError);
    await assert.rejects(st.get(true), TypeError);
    await assert.rejects(db.exec(1), TypeError);
    assert.equal(await st.pluck().get(7), 7);
    await db.close();
  });

  it('runs a transaction of statements whole, or not at all', async () => {
    const db = await open('transaction.db');
    await db.exec('CREATE TABLE a(x CHECK (x < 10))');
    assert.deepEqual(await db.transaction([['INSERT INTO a VALUES (?)', [1]], 'INSERT INTO a VALUES (2)']),
      [{ changes: 1, lastInsertRowid: 1 }, { changes: 1, lastInsertRowid: 2 }]);
    await assert.rejects(db.transaction([['INSERT INTO a VALUES (?)', [3]], ['INSERT INTO a VALUES (?)', [30]]]), isCode('SQLITE_CONSTRAINT_CHECK'));
    assert.equal(db.inTransaction, false);
    assert.deepEqual(await (await db.prepare('SELECT x FROM a')).pluck().all(), [1, 2]);
    await assert.rejects(db.transaction([], { mode: 'sideways' }), TypeError);
    await db.exec('BEGIN');
    assert.equal(db.inTransaction, true);
    await db.exec('ROLLBACK');
    // Prepared transaction control counts too, and so does a failure that ends a transaction.
    await (await db.prepare('  /* c */ BEGIN')).run();
    assert.equal(db.inTransaction, true);
    await (await db.prepare('INSERT INTO a VALUES (5)')).run();
    assert.equal(db.inTransaction, true);
    await (await db.prepare('COMMIT')).run();
    assert.equal(db.inTransaction, false);
    await db.exec('BEGIN');
    await assert.rejects((await db.prepare('INSERT OR ROLLBACK INTO a VALUES (50)')).run(), isCode('SQLITE_CONSTRAINT_CHECK'));
    assert.equal(db.inTransaction, false);
    await db.close();
  });

  it('queues calls made at once, in order, one at a time in the instance', async () => {
    const db = await open('queue.db');
    await db.exec('CREATE TABLE q(x)');
    const insert = await db.prepare('INSERT INTO q VALUES (?)');
    await Promise.all(Array.from({ length: 50 }, (_, i) => insert.run(i)));
    assert.deepEqual(await (await db.prepare('SELECT x FROM q')).pluck().all(), Array.from({ length: 50 }, (_, i) => i));
    await db.close();
  });

  it('two connections lock each other as SQLite\'s locks say, and a busy timeout waits without blocking', async () => {
    const a = await open('locks.db');
    const b = await open('locks.db', { timeout: 300 });
    await a.exec('CREATE TABLE l(x); BEGIN IMMEDIATE; INSERT INTO l VALUES (1)');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    await assert.rejects(b.exec('INSERT INTO l VALUES (2)'), isCode('SQLITE_BUSY'));
    clearInterval(timer);
    assert.ok(Date.now() - started >= 250, 'waited out the busy timeout');
    assert.ok(ticks >= 5, `the event loop ran while it waited (${ticks} ticks)`);
    await a.exec('COMMIT');
    await b.exec('INSERT INTO l VALUES (2)');
    assert.deepEqual(await (await a.prepare('SELECT x FROM l')).pluck().all(), [1, 2]);
    await a.close();
    await b.close();
  });

  it('a progress handler can cancel a query while it waits on storage', async () => {
    const db = await open('cancel.db');
    await db.exec("PRAGMA cache_size = 2; CREATE TABLE big(x, pad); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 20000) INSERT INTO big SELECT x, randomblob(300) FROM c");
    let cancelled = false;
    await db.progressHandler(100, () => cancelled);
    setTimeout(() => {
      cancelled = true;
    }, 50);
    const query = db.prepare('SELECT count(*) FROM big a, big b WHERE a.x = b.x + 0 AND a.pad <> b.pad').then((st) => st.get());
    await assert.rejects(query, (e) => isCode('SQLITE_INTERRUPT')(e));
    await db.progressHandler(0);
    assert.equal(await (await db.prepare('SELECT count(*) FROM big')).pluck().get(), 20000);
    await db.close();
  });

  it('a progress handler\'s own exception is what all() and iterate() reject with', async () => {
    const db = await open('handler-throws.db');
    await db.exec('CREATE TABLE t(x); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 5000) INSERT INTO t SELECT x FROM c');
    const mine = new Error('handler failed');
    let calls = 0;
    await db.progressHandler(10, () => {
      // After rows have come: the failure then ends a batch of rows, not the call.
      if (++calls % 100 === 0) throw mine;
    });
    const st = await db.prepare('SELECT x FROM t');
    await assert.rejects(st.all(), (e) => e === mine);
    await assert.rejects((async () => {
      for await (const row of st.iterate()) void row;
    })(), (e) => e === mine);
    await db.progressHandler(0);
    assert.equal(await (await db.prepare('SELECT count(*) FROM t')).pluck().get(), 5000);
    await db.close();
  });

  it('is closed when collected unclosed: its transaction rolls back and its lock is let go', async () => {
    const other = await open('dropped.db', { timeout: 0 });
    await other.exec('CREATE TABLE t(x)');
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    await (async () => {
      const db = await open('dropped.db');
      const insert = await db.prepare('INSERT INTO t VALUES (1)');
      await db.exec('BEGIN IMMEDIATE');
      await insert.run();
      registry.register(db, null);
    })();
    await assert.rejects(other.exec('INSERT INTO t VALUES (2)'), isCode('SQLITE_BUSY'));
    let wrote = false;
    for (let i = 0; i < 50 && !wrote; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      wrote = collected && await other.exec('INSERT INTO t VALUES (2)').then(() => true, (e) => {
        if (!isCode('SQLITE_BUSY')(e)) throw e;
        return false;
      });
    }
    assert.ok(wrote, 'the other connection still cannot write');
    assert.deepEqual(await (await other.prepare('SELECT x FROM t')).pluck().all(), [2]);
    await other.close();
  });

  it('serializes the database image', async () => {
    const db = await open('image.db');
    await db.exec('CREATE TABLE s(x); INSERT INTO s VALUES (42)');
    const image = await db.serialize();
    await db.close();
    const copy = new Database(Buffer.from(image));
    assert.equal(copy.prepare('SELECT x FROM s').pluck().get(), 42);
    copy.close();
  });

  it('a VFS that answers at once, some calls or all, reads and writes as one that always waits', async () => {
    for (const plainEvery of [1, 3]) {
      const name = `async-plain-${plainEvery}`;
      const plain = new AsyncWrapperVfs(name, new MemoryVfs(), { plainEvery });
      registerVfs(plain);
      const db = await Database.open(`p${plainEvery}.db`, { vfs: name });
      await db.exec('PRAGMA cache_size = 2; CREATE TABLE p(id INTEGER PRIMARY KEY, v)');
      // Small cache, many pages: reads and writes reach the VFS throughout.
      await db.exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 3000) INSERT INTO p(v) SELECT randomblob(300) FROM c");
      await db.exec('BEGIN; UPDATE p SET v = zeroblob(10) WHERE id % 2 = 0; ROLLBACK');
      assert.deepEqual(await (await db.prepare('SELECT count(*) AS n, sum(length(v)) AS bytes FROM p')).get(), { n: 3000, bytes: 900000 });
      assert.equal(await db.pragma('integrity_check', { simple: true }), 'ok');
      // A failure thrown at once is reported as one that rejects.
      const boom = new Error('disk on fire, at once');
      plain.failures.set('write', boom);
      await assert.rejects(db.exec('INSERT INTO p(v) VALUES (1)'), (e) => isCode('SQLITE_IOERR_WRITE')(e) && e.cause === boom);
      plain.failures.clear();
      await db.exec('INSERT INTO p(v) VALUES (2)');
      assert.equal(await (await db.prepare('SELECT count(*) FROM p')).pluck().get(), 3001);
      await db.close();
    }
  });

  it('maxMemory caps its instance too: SQLITE_NOMEM past it, and the database goes on', async () => {
    const db = await open('capped.db', { maxMemory: 16 * 1024 * 1024 });
    await db.exec('CREATE TABLE c(x)');
    await assert.rejects(db.exec('INSERT INTO c VALUES (randomblob(20 * 1024 * 1024))'), isCode('SQLITE_NOMEM'));
    await db.exec('INSERT INTO c VALUES (randomblob(1024))');
    assert.equal(await (await db.prepare('SELECT count(*) FROM c')).pluck().get(), 1);
    await db.close();
    await assert.rejects(open('capped.db', { maxMemory: -1 }), TypeError);
  });

  it('a VFS failure reaches the caller as SQLite\'s error, with the VFS\'s exception as cause', async () => {
    const failing = new AsyncWrapperVfs('async-failing', new MemoryVfs());
    registerVfs(failing);
    const db = await Database.open('f.db', { vfs: 'async-failing' });
    await db.exec('CREATE TABLE f(x)');
    const boom = new Error('disk on fire');
    failing.failures.set('write', boom);
    await assert.rejects(db.exec('INSERT INTO f VALUES (1)'), (e) => isCode('SQLITE_IOERR_WRITE')(e) && e.cause === boom);
    failing.failures.clear();
    await db.exec('INSERT INTO f VALUES (2)');
    assert.deepEqual(await (await db.prepare('SELECT x FROM f')).pluck().all(), [2]);
    await db.close();
  });
});
