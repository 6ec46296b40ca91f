// A trap inside the engine (here: the engine's stack overflowing while SQLite matches a GLOB
// pattern of 20,000 wildcards, one recursion each, which a raised LIKE/GLOB pattern limit lets
// through; by default such a pattern is an error, as deep SQL is), or an
// exception unwinding through its frames, leaves the instance in an unknown state.
// The Database on it then refuses everything with one clear error, lets go of its files and
// locks, and closes quietly; other and new Databases are untouched.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database, InstanceAbortedError, MemoryVfs } from '../src/node.js';

// Runs SQL that overflows the engine's stack.
function overflow(db) {
  db.limit(8, 50000); // SQLITE_LIMIT_LIKE_PATTERN_LENGTH, at SQLite's maximum
  db.prepare(`SELECT '${'a'.repeat(30000)}' GLOB '${'*a'.repeat(20000)}b'`).get();
}

const aborted = (e) =>
  e instanceof InstanceAbortedError &&
  /^The SQLite instance aborted: /.test(e.message) &&
  (e.cause instanceof WebAssembly.RuntimeError || e.cause instanceof RangeError);

describe('an instance that aborts', () => {
  it('throws InstanceAbortedError with the trap as its cause, then the same error on every call', () => {
    MemoryVfs.files.delete('abort.db');
    const db = new Database('abort.db', { vfs: 'memory' });
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const select = db.prepare('SELECT x FROM t');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    let first;
    assert.throws(() => overflow(db), (e) => ((first = e), aborted(e)));
    for (const call of [
      () => db.prepare('SELECT 1'),
      () => db.exec('SELECT 1'),
      () => db.pragma('user_version'),
      () => db.serialize(),
      () => db.inTransaction,
      () => select.get(),
      () => select.all(),
      () => select.iterate(),
      () => select.columns(),
      () => insert.run(2),
      () => db.transaction(() => insert.run(3))(),
    ]) {
      assert.throws(call, (e) => e === first, call.toString());
    }
    assert.equal(db.close(), db);
    assert.equal(db.open, false);
  });

  it('lets go of its locks: another connection writes, and the aborted transaction is rolled back', () => {
    MemoryVfs.files.delete('abort-locks.db');
    const db = new Database('abort-locks.db', { vfs: 'memory' });
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const other = new Database('abort-locks.db', { vfs: 'memory', timeout: 0 });
    db.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (2)');
    assert.throws(() => other.exec('INSERT INTO t VALUES (3)'), { code: 'SQLITE_BUSY' });
    assert.throws(() => overflow(db), aborted);
    other.exec('INSERT INTO t VALUES (3)');
    assert.deepEqual(other.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 3]);
    assert.equal(other.pragma('integrity_check', { simple: true }), 'ok');
    other.close();
    db.close();
  });

  it('leaves other Databases working, and a new Database gets a fresh instance', () => {
    const bystander = new Database(':memory:');
    bystander.exec('CREATE TABLE t(x); INSERT INTO t VALUES (7)');
    const db = new Database(':memory:');
    assert.throws(() => overflow(db), aborted);
    assert.equal(bystander.prepare('SELECT x FROM t').pluck().get(), 7);
    const fresh = new Database(':memory:');
    assert.equal(fresh.prepare('SELECT 6 * 7').pluck().get(), 42);
    fresh.close();
    bystander.close();
  });
});
