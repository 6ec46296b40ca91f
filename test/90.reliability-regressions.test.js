// Regressions found by the reliability checks (test/reliability/, `npm run -s reliability`),
// each as the smallest case that showed it. The SQL ones found by the differential fuzzer live
// in test/reliability/regressions/ and run with it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Database, MemoryVfs, registerVfs } from '../src/node.js';
import { FaultVfs } from './reliability/fault-vfs.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

describe('a WAL database whose file lost its last overflow page (corrupt-files)', () => {
  // Native SQLite reads overflow pages straight from the file when its VFS says it can read
  // less than a page (SQLITE_IOCAP_SUBPAGE_READ, which os_unix.c reports): a page past the end
  // of the file is then SQLITE_IOERR_SHORT_READ. Without it, the page came through the page
  // cache as zeros, and the row came back shortened, with no error.
  let dir;
  let image;
  let wal;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subpage-read-'));
    const file = path.join(dir, 'made.db');
    const db = new NativeDatabase(file);
    db.pragma('page_size = 1024');
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec("CREATE TABLE big(id INTEGER PRIMARY KEY, payload TEXT); INSERT INTO big VALUES (1, printf('%.*c', 5000, 'x'))");
    db.pragma('wal_checkpoint(TRUNCATE)'); // the row and its 4 overflow pages (3-6) in the file
    db.exec('CREATE TABLE other(x); INSERT INTO other VALUES (1)'); // page 1 and the rest in the WAL
    image = fs.readFileSync(file).subarray(0, 5 * 1024); // page 6 is gone
    wal = fs.readFileSync(`${file}-wal`);
    db.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const query = "SELECT length(payload), payload = printf('%.*c', 5000, 'x') FROM big";
  const outcome = (db) => {
    try {
      return db.prepare(query).raw().get();
    } catch (e) {
      return e.code;
    } finally {
      db.close();
    }
  };
  const onDisk = (name) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, image);
    fs.writeFileSync(`${file}-wal`, wal);
    return file;
  };

  it('native SQLite: SQLITE_IOERR_SHORT_READ', () => {
    assert.equal(outcome(new NativeDatabase(onDisk('native.db'))), 'SQLITE_IOERR_SHORT_READ');
  });

  it('node-fs: the same', () => {
    assert.equal(outcome(new Database(onDisk('ours.db'), { vfs: 'node-fs' })), 'SQLITE_IOERR_SHORT_READ');
  });

  it('memory: the same', () => {
    MemoryVfs.files.set('subpage.db', { data: new Uint8Array(image), size: image.length });
    MemoryVfs.files.set('subpage.db-wal', { data: new Uint8Array(wal), size: wal.length });
    try {
      assert.equal(outcome(new Database('subpage.db', { vfs: 'memory' })), 'SQLITE_IOERR_SHORT_READ');
    } finally {
      MemoryVfs.files.delete('subpage.db');
      MemoryVfs.files.delete('subpage.db-wal');
    }
  });
});

describe('a database file of one byte (corrupt-files)', () => {
  // os_unix.c reports a file of one byte as empty (SQLite ticket #3260: it may itself have
  // written that byte, on msdos filesystems), so native SQLite opens it as an empty database —
  // and deletes a WAL beside it, as beside any empty database. node-fs must agree, or a file
  // native SQLite calls empty would be "not a database" here and the other way round.
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'one-byte-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const outcome = (db) => {
    try {
      return JSON.stringify(db.prepare('SELECT name FROM sqlite_schema').pluck().all());
    } catch (e) {
      return e.code;
    } finally {
      db.close();
    }
  };
  const oneByte = (name) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from([0x53]));
    return file;
  };

  it('native SQLite: an empty database', () => {
    assert.equal(outcome(new NativeDatabase(oneByte('native.db'))), '[]');
  });

  it('node-fs: the same', () => {
    assert.equal(outcome(new Database(oneByte('ours.db'), { vfs: 'node-fs' })), '[]');
  });
});

describe('a WAL connection whose exchange of the wal-index fails (io-faults)', () => {
  // Connection `a` writes through a VFS that fails one shm call; `b`, on the plain memory VFS,
  // must be able to write once `a` is idle again, and see what `a` committed. The guest
  // (guest/vfs/host_vfs.cc, host_shm_lock) once kept the host's WAL write lock in two cases:
  //   - taking the lock, the read of the index that follows fails: SQLite takes the lock as not
  //     taken (the transaction fails), so the host must let it go too;
  //   - letting go of it, sending the changed index fails: SQLite ignores a failed unlock, and
  //     the commit stands, so the lock is kept until `a`'s next exchange sends the index.
  const vfs = new FaultVfs(new MemoryVfs(), 'fault-regression');
  registerVfs(vfs);

  // `a`'s INSERT makes these shm calls in order: shmRead#1 shmLock#1 shmRead#2 shmLock#2 (the
  // write lock) shmRead#3 (the whole index, after taking it) shmWrite#1..3 shmWrite#4 (the
  // header, as the write lock goes) shmLock#3 shmLock#4.
  function writerAfterFault(name, method, n) {
    for (const suffix of ['', '-wal', '-journal']) MemoryVfs.files.delete(name + suffix);
    const a = new Database(name, { vfs: vfs.name, timeout: 0 });
    const b = new Database(name, { vfs: 'memory', timeout: 0 });
    try {
      a.exec('PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1)');
      b.prepare('SELECT count(*) FROM t').get();
      vfs.arm({ method, n, kind: 'ioerr', variant: 0 }); // variant 0: SQLITE_IOERR_SHMMAP
      try {
        a.exec('INSERT INTO t VALUES (2)');
      } catch (e) {
        assert.equal(e.code, 'SQLITE_IOERR_SHMMAP');
      }
      assert.ok(vfs.fired, 'the fault fired');
      vfs.disarm();
      a.prepare('SELECT count(*) FROM t').get(); // `a` goes on, reading only
      b.exec('INSERT INTO t VALUES (3)');
      return b.prepare('SELECT count(*) FROM t').pluck().get();
    } finally {
      vfs.disarm();
      a.close();
      b.close();
    }
  }

  it('the index cannot be read after the write lock is taken: the lock is let go', () => {
    assert.equal(writerAfterFault('leak-take.db', 'shmRead', 3), 2); // rows 1 and 3
  });

  it('the index cannot be sent as the write lock goes: the lock goes once it can be', () => {
    assert.equal(writerAfterFault('leak-release.db', 'shmWrite', 4), 3); // `a`'s row 2 stands
  });
});
