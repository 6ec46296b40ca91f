// Confinement against what changes after the check: the `-shm` file and the fallback's lock
// directory are names node-fs derives and opens itself, so a symlink planted or swapped in there
// by someone who can write in the root must not lead a create, a truncation or a delete out of it.
// Each case leaves a file or directory outside the root and checks that it is byte for byte as
// it was; the operation may be refused (a SqliteError), never followed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Database, NodeFsVfs, SqliteError, VfsError, registerVfs } from '../src/node.js';
import { nativeLocks } from '../src/vfs/file-locks.js';
import { SQLITE_CANTOPEN, SQLITE_OPEN_MAIN_DB, SQLITE_OPEN_READWRITE } from '../src/vfs/constants.js';

const VFS = 'confined-56r';
const FALLBACK = 'confined-56r-fallback';
const PRECIOUS = Buffer.from('precious bytes outside the root\n');

let base; // holds root/ and outside/, side by side
let root;
let outside;

before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-56r-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  registerVfs(new NodeFsVfs({ root, name: VFS }));
  registerVfs(new NodeFsVfs({ root, name: FALLBACK, locking: 'fallback' }));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

// A file outside the root that nothing confined may change.
function precious(name) {
  const file = path.join(outside, name);
  fs.writeFileSync(file, PRECIOUS);
  return file;
}

// Runs fn, which may be refused with a SqliteError but may throw nothing else.
function refusedOrDone(fn) {
  try {
    fn();
    return null;
  } catch (err) {
    assert.ok(err instanceof SqliteError, `expected a SqliteError, got ${err?.stack ?? err}`);
    return err;
  }
}

describe('-shm', { skip: !nativeLocks && 'the -shm file needs native locks' }, () => {
  it('a symlink swapped in between the check and the open is not followed', () => {
    const db = new Database('swap-shm.db', { vfs: VFS });
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t(x)');
    db.close();
    const target = precious('shm-swap-target');
    fs.symlinkSync(target, path.join(root, 'swap-shm.db-shm'));
    // The check is made blind to symlinks, as if the link had been swapped in right after it.
    const realpath = fs.realpathSync.native;
    fs.realpathSync.native = (p) => String(p);
    let err;
    try {
      const again = new Database('swap-shm.db', { vfs: VFS });
      err = refusedOrDone(() => again.prepare('SELECT count(*) FROM t').get());
      again.close();
    } finally {
      fs.realpathSync.native = realpath;
    }
    assert.deepEqual(fs.readFileSync(target), PRECIOUS);
    assert.equal(err?.code, 'SQLITE_CANTOPEN');
    assert.match(err.cause.message, /swap-shm\.db-shm became a symlink while it was being opened$/);
  });

  // Another thread flips `<name>-shm` between absent and a symlink to `target` while fn runs.
  async function whileFlipping(name, target, fn) {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const flipper = new Worker(`
      const fs = require('node:fs');
      const { link, target, stop } = require('node:worker_threads').workerData;
      const flag = new Int32Array(stop);
      while (Atomics.load(flag, 0) === 0) {
        try { fs.symlinkSync(target, link); } catch {}
        try { fs.unlinkSync(link); } catch {}
      }`, { eval: true, workerData: { link: path.join(root, `${name}-shm`), target, stop: stop.buffer } });
    await new Promise((resolve) => flipper.once('online', resolve));
    try {
      fn();
    } finally {
      Atomics.store(stop, 0, 1);
      await new Promise((resolve) => flipper.once('exit', resolve));
    }
  }

  it('flipped by another thread between absent and a symlink out, while databases open and close', async () => {
    const db = new Database('race-shm.db', { vfs: VFS });
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    db.close();
    const target = precious('shm-race-target');
    await whileFlipping('race-shm.db', target, () => {
      const deadline = Date.now() + 1500;
      for (let i = 0; i < 300 && Date.now() < deadline; i++) {
        let again;
        refusedOrDone(() => {
          again = new Database('race-shm.db', { vfs: VFS });
          assert.equal(again.prepare('SELECT count(*) FROM t').pluck().get(), 1);
        });
        refusedOrDone(() => again?.close());
        assert.deepEqual(fs.readFileSync(target), PRECIOUS, `the file outside was changed at open ${i}`);
      }
    });
  });

  it('flipped the same way while the VFS opens and lets go of it thousands of times', async () => {
    const vfs = new NodeFsVfs({ root });
    const db = new Database('race-shm-vfs.db', { vfs: VFS });
    db.pragma('journal_mode = WAL');
    db.close();
    const { file } = vfs.open('race-shm-vfs.db', SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE);
    const target = precious('shm-race-vfs-target');
    let refused = 0;
    try {
      await whileFlipping('race-shm-vfs.db', target, () => {
        const deadline = Date.now() + 1000;
        for (let i = 0; i < 20000 && Date.now() < deadline; i++) {
          try {
            file.shmMap(0, 32768, true);
          } catch (err) {
            assert.ok(err instanceof VfsError && err.code === SQLITE_CANTOPEN, `expected a refusal, got ${err?.stack ?? err}`);
            refused++;
          }
          file.shmUnmap(true);
          assert.deepEqual(fs.readFileSync(target), PRECIOUS, `the file outside was changed at open ${i}`);
        }
      });
    } finally {
      file.close();
    }
    assert.ok(refused > 0, 'the symlink was never met');
  });
});

describe("the fallback's lock directory", () => {
  // The name of this thread's `shared` entry for `name`, as dir-lock.js makes it: seen while a
  // statement holds the read lock.
  function sharedEntry(name) {
    const db = new Database(name, { vfs: FALLBACK });
    db.exec('CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES (1)');
    const rows = db.prepare('SELECT x FROM t').iterate();
    rows.next();
    const entries = fs.readdirSync(path.join(root, `${name}.lock`));
    rows.return();
    db.close();
    const shared = entries.filter((n) => n.startsWith('shared.'));
    assert.equal(shared.length, 1, entries.join(', '));
    return shared[0];
  }

  it('an entry name planted as a symlink to a file outside: the file is not truncated', () => {
    const entry = sharedEntry('planted.db');
    const target = precious('entry-target');
    const lockDir = path.join(root, 'planted.db.lock');
    fs.mkdirSync(lockDir, { recursive: true });
    fs.symlinkSync(target, path.join(lockDir, entry));
    const db = new Database('planted.db', { vfs: FALLBACK });
    const err = refusedOrDone(() => db.prepare('SELECT count(*) FROM t').get());
    assert.deepEqual(fs.readFileSync(target), PRECIOUS);
    assert.ok(err, 'a symlink in place of the entry was used');
    assert.equal(err.code, 'SQLITE_IOERR_LOCK');
    // Once it is gone, the database works again.
    fs.unlinkSync(path.join(lockDir, entry));
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    db.close();
  });

  it('an entry of our own name left as a regular file is taken as ours', () => {
    const entry = sharedEntry('leftover.db');
    const lockDir = path.join(root, 'leftover.db.lock');
    fs.mkdirSync(lockDir, { recursive: true });
    fs.writeFileSync(path.join(lockDir, entry), '');
    const db = new Database('leftover.db', { vfs: FALLBACK });
    db.exec('INSERT INTO t VALUES (2)');
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 2);
    db.close();
    assert.ok(!fs.existsSync(path.join(lockDir, entry)));
  });

  it('swapped for a symlink to a directory outside after the open: nothing made or removed there', () => {
    const db = new Database('swap-dir.db', { vfs: FALLBACK });
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const lockDir = path.join(root, 'swap-dir.db.lock');
    const target = path.join(outside, 'lock-target');
    fs.mkdirSync(target);
    // An entry of a dead owner (no such pid): a lock directory's user deletes those on sight.
    const dead = 'shared.999999999-0-k1.1-1';
    fs.writeFileSync(path.join(target, dead), PRECIOUS);
    fs.rmSync(lockDir, { recursive: true, force: true });
    fs.symlinkSync(target, lockDir);

    let seen = null;
    const read = refusedOrDone(() => {
      const rows = db.prepare('SELECT x FROM t').iterate();
      rows.next();
      seen = fs.readdirSync(target);
      rows.return();
    });
    const write = refusedOrDone(() => db.exec('INSERT INTO t VALUES (2)'));
    assert.deepEqual(seen ?? [dead], [dead], 'an entry was made outside the root');
    assert.deepEqual(fs.readdirSync(target), [dead]);
    assert.deepEqual(fs.readFileSync(path.join(target, dead)), PRECIOUS);
    assert.ok(read && write, 'the lock directory was used through the symlink');
    assert.equal(read.code, 'SQLITE_IOERR_LOCK');

    // Back to a real directory, the same connection goes on.
    fs.unlinkSync(lockDir);
    db.exec('INSERT INTO t VALUES (3)');
    assert.deepEqual(db.prepare('SELECT x FROM t').pluck().all(), [1, 3]);
    db.close();
  });
});
