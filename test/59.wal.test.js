// WAL with several connections: the wal-index is shared memory the host keeps (the memory VFS
// in this thread; node-fs in the -shm file, as native SQLite does), so readers keep their
// snapshot while a writer commits, writers exclude each other, checkpoints run, and for
// node-fs, other threads, processes and native SQLite share the database in WAL mode.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Database, MemoryVfs, NodeFsVfs, registerVfs } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const packageDir = fileURLToPath(new URL('../', import.meta.url));

// The same story on any VFS: `open()` gives a new connection to one database.
function sharesWal(open) {
  const a = open();
  assert.equal(a.pragma('journal_mode = WAL', { simple: true }), 'wal');
  a.exec('CREATE TABLE t(x); INSERT INTO t VALUES (0)');
  const b = open();
  assert.equal(b.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(b.prepare('SELECT count(*) FROM t').pluck().get(), 1);

  // A reader's snapshot holds while the writer commits; the next read sees the commits.
  b.exec('BEGIN');
  assert.equal(b.prepare('SELECT count(*) FROM t').pluck().get(), 1);
  const insert = a.prepare('INSERT INTO t VALUES (?)');
  for (let i = 1; i <= 500; i++) insert.run(i);
  assert.equal(b.prepare('SELECT count(*) FROM t').pluck().get(), 1, 'snapshot');
  b.exec('COMMIT');
  assert.equal(b.prepare('SELECT count(*) FROM t').pluck().get(), 501);

  // One writer at a time.
  a.exec('BEGIN IMMEDIATE');
  const busy = open({ timeout: 0 });
  assert.throws(() => busy.exec('INSERT INTO t VALUES (-1)'), { code: 'SQLITE_BUSY' });
  a.exec('COMMIT');
  busy.exec('INSERT INTO t VALUES (501)');
  assert.equal(a.prepare('SELECT max(x) FROM t').pluck().get(), 501);

  // A checkpoint moves the WAL into the database while another connection is open.
  const [checkpoint] = a.pragma('wal_checkpoint(TRUNCATE)');
  assert.deepEqual(checkpoint, { busy: 0, log: 0, checkpointed: 0 });
  b.exec('INSERT INTO t VALUES (502)');
  assert.equal(a.prepare('SELECT count(*) FROM t').pluck().get(), 503);
  assert.equal(a.pragma('integrity_check', { simple: true }), 'ok');
  for (const db of [a, b, busy]) db.close();

  const reopened = open();
  assert.deepEqual(reopened.prepare('SELECT count(*), sum(x) FROM t').raw().get(), [503, (502 * 503) / 2]);
  reopened.close();
}

describe('WAL on the memory VFS', () => {
  it('connections of one thread share it: snapshots, one writer, checkpoints', () => {
    MemoryVfs.files.delete('wal.db');
    sharesWal((options) => new Database('wal.db', { vfs: 'memory', ...options }));
  });
});

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-59-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('WAL on node-fs', () => {
  it('connections of one thread share it: snapshots, one writer, checkpoints', () => {
    const file = path.join(dir, 'wal.db');
    sharesWal((options) => new Database(file, { vfs: 'node-fs', ...options }));
    const native = new NativeDatabase(file);
    assert.equal(native.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(native.prepare('SELECT count(*) FROM t').pluck().get(), 503);
    native.close();
  });

  it('with fallback locks (no shared wal-index across processes) stays in its journal mode unless locking is exclusive', () => {
    registerVfs(new NodeFsVfs({ locking: 'fallback', name: 'node-fs-fallback-59' }));
    const file = path.join(dir, 'fallback.db');
    const db = new Database(file, { vfs: 'node-fs-fallback-59' });
    assert.equal(db.pragma('journal_mode = WAL', { simple: true }), 'delete');
    db.pragma('locking_mode = EXCLUSIVE');
    assert.equal(db.pragma('journal_mode = WAL', { simple: true }), 'wal');
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    db.close();
    assert.equal(fs.existsSync(`${file}-shm`), false, 'no -shm file: the index lived in the connection');
  });

  it('native SQLite reads what ours commits while both have it open, and the reverse', () => {
    const file = path.join(dir, 'wal.db');
    const ours = new Database(file);
    ours.pragma('journal_mode = WAL');
    ours.exec('CREATE TABLE t(x)');
    const native = new NativeDatabase(file);
    for (let i = 0; i < 50; i++) {
      ours.prepare('INSERT INTO t VALUES (?)').run(i * 2);
      assert.equal(native.prepare('SELECT count(*) FROM t').pluck().get(), i * 2 + 1);
      native.prepare('INSERT INTO t VALUES (?)').run(i * 2 + 1);
      assert.equal(ours.prepare('SELECT count(*) FROM t').pluck().get(), i * 2 + 2);
    }
    native.exec('BEGIN IMMEDIATE');
    const oursBusy = new Database(file, { timeout: 0 });
    assert.throws(() => oursBusy.exec('INSERT INTO t VALUES (-1)'), { code: 'SQLITE_BUSY' });
    native.exec('COMMIT');
    oursBusy.close();
    ours.pragma('wal_checkpoint(TRUNCATE)');
    assert.equal(native.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(native.prepare('SELECT count(*), sum(x) FROM t').raw().get(), [100, 4950]);
    ours.close();
    native.close();
  });

  it('processes, worker threads and native SQLite write it at once: every commit is there', async () => {
    const file = path.join(dir, 'wal.db');
    const setup = new NativeDatabase(file);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE t(who TEXT, n INTEGER)');
    setup.close();
    const rows = 150;
    const writer = (who, engine) => `
      const who = ${JSON.stringify(who)};
      const db = ${engine === 'native' ? "new (require('better-sqlite3'))" : "new (await import('./src/node.js')).Database"}(${JSON.stringify(file)}, { timeout: 10000 });
      let done = 0;
      for (let i = 0; i < ${rows}; i++) { db.prepare('INSERT INTO t VALUES (?, ?)').run(who, i); done++; if (i % 10 === 0) db.prepare('SELECT count(*) FROM t').get(); }
      db.close();
      console.log(done);`;
    const child = (who, engine) =>
      new Promise((resolve, reject) => {
        const args = engine === 'native' ? ['-e', writer(who, engine)] : ['--input-type=module', '-e', writer(who, engine)];
        const proc = spawn(process.execPath, args, { cwd: packageDir });
        let out = '';
        let err = '';
        proc.stdout.on('data', (d) => (out += d));
        proc.stderr.on('data', (d) => (err += d));
        proc.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`${who}: ${err}`))));
      });
    const thread = (who) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(
          `(async () => { const { parentPort } = require('node:worker_threads'); const log = console.log; console.log = (v) => parentPort.postMessage(v); ${writer(who, 'ours').replace("await import('./src/node.js')", `await import(${JSON.stringify(path.join(packageDir, 'src/node.js'))})`)} })().catch((e) => { throw e; });`,
          { eval: true },
        );
        worker.on('message', (n) => resolve(Number(n)));
        worker.on('error', reject);
      });
    const done = await Promise.all([child('p1', 'ours'), child('p2', 'ours'), child('native', 'native'), thread('w1'), thread('w2')]);
    assert.deepEqual(done, [rows, rows, rows, rows, rows]);
    const check = new NativeDatabase(file);
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(
      check.prepare('SELECT who, count(*), count(DISTINCT n) FROM t GROUP BY who ORDER BY who').raw().all(),
      [['native', rows, rows], ['p1', rows, rows], ['p2', rows, rows], ['w1', rows, rows], ['w2', rows, rows]],
    );
    check.close();
  });
});
