// WAL's shared memory as native SQLite keeps it: the file `<database>-shm` beside the database,
// with SQLite's eight shm locks and the "dead man's switch" as byte-range locks on that file at
// the offsets os_unix.c uses (locks from byte 120, the switch at 128). node-fs serves its `shm*`
// methods from here when it has native locks, so WAL works across connections, worker threads,
// processes and native sqlite3 programs alike.
//
// Native SQLite maps the file into memory; we read and write it with pread/pwrite instead, at the
// moments the guest exchanges its copy of the wal-index (see `shm-map` in wit/sqlite.wit). Linux
// keeps both views of the file in the same page cache, so each side sees the other's bytes.

import fs from 'node:fs';
import { VfsError } from './base.js';
import {
  SQLITE_BUSY,
  SQLITE_CANTOPEN,
  SQLITE_IOERR_SHMMAP,
  SQLITE_IOERR_SHMOPEN,
  SQLITE_IOERR_SHMSIZE,
  SQLITE_READONLY_CANTINIT,
  SQLITE_SHM_EXCLUSIVE,
  SQLITE_SHM_LOCK,
} from './constants.js';

const { O_RDONLY, O_RDWR, O_CREAT } = fs.constants;
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

const LOCK_BASE = 120; // os_unix.c UNIX_SHM_BASE: (22 + SQLITE_SHM_NLOCK) * 4
const DEAD_MANS_SWITCH = 128; // UNIX_SHM_DMS
const READ = { shared: true };
const WRITE = { shared: false };

function fail(code, what, path, err) {
  return new VfsError(code, `${what} ${path}: ${err.message}`, { cause: err });
}

/**
 * One connection's hold on the -shm file of a database; `locks` is { tryLock, unlock }.
 * `confined`, under node-fs's root: { check(name) → the real path to open, or throws;
 * landed(fd, name) → closes fd and throws if it lies outside the root }.
 */
export class ShmFile {
  #path;
  #locks;
  #confined;
  #fd = -1;
  #readOnly = false; // opened read-only: this process may not write the file
  #regionSize = 0;
  #buffer = null;

  constructor(databasePath, locks, confined = null) {
    this.#path = `${databasePath}-shm`;
    this.#locks = locks;
    this.#confined = confined;
  }

  // Opens the file and takes the switch shared. The first user (no one else holds the switch)
  // empties the file first, as native SQLite does: what a crashed user left is not to be trusted.
  // Since the file is then truncated and written, a confined one must be the very file checked:
  // its real path, never a symlink in its last component (as os_unix.c opens -shm), and the
  // descriptor must have landed inside, whatever was swapped into the path since the check.
  #open() {
    if (this.#fd >= 0) return this.#fd;
    const confined = this.#confined;
    const name = confined ? confined.check(this.#path) : this.#path;
    const nofollow = confined ? O_NOFOLLOW : 0;
    let fd;
    try {
      try {
        fd = fs.openSync(name, O_RDWR | O_CREAT | nofollow, 0o644);
      } catch (err) {
        // A -shm this process may only read (as os_unix.c does): opened read-only, see map().
        if (!NOT_WRITABLE.has(err.code)) throw err;
        fd = fs.openSync(name, O_RDONLY | nofollow);
        this.#readOnly = true;
      }
    } catch (err) {
      if (err.code === 'ELOOP' && confined) {
        throw new VfsError(SQLITE_CANTOPEN, `${name} became a symlink while it was being opened`, { cause: err });
      }
      throw fail(SQLITE_IOERR_SHMOPEN, 'cannot open', name, err);
    }
    confined?.landed(fd, name);
    const { tryLock } = this.#locks;
    try {
      if (this.#readOnly) {
        // Not ours to reset: only shared with whoever may be writing it.
        if (!tryLock(fd, DEAD_MANS_SWITCH, 1, READ)) {
          fs.closeSync(fd);
          throw new VfsError(SQLITE_BUSY, `${this.#path} is being reset by another connection`);
        }
      } else if (tryLock(fd, DEAD_MANS_SWITCH, 1, WRITE)) {
        fs.ftruncateSync(fd, 3); // os_unix.c truncates to 3 bytes, to tell it from a rogue truncation
        if (!tryLock(fd, DEAD_MANS_SWITCH, 1, READ)) throw new Error('cannot downgrade the switch');
      } else if (!tryLock(fd, DEAD_MANS_SWITCH, 1, READ)) {
        fs.closeSync(fd);
        throw new VfsError(SQLITE_BUSY, `${this.#path} is being reset by another connection`);
      }
    } catch (err) {
      if (err instanceof VfsError) throw err;
      fs.closeSync(fd);
      throw fail(SQLITE_IOERR_SHMOPEN, 'cannot lock', this.#path, err);
    }
    return (this.#fd = fd);
  }

  /**
   * xShmMap: whether `region` exists; `extend` grows the file to hold it, zero-filled. A -shm
   * that can only be read is SQLITE_READONLY_CANTINIT: SQLite then reads the WAL itself, into
   * memory of its own, rather than trust an index no writer here can keep up to date (what
   * os_unix.c answers when no other connection has the file open; we cannot tell whether one
   * has, and the answer is safe either way).
   */
  map(region, size, extend) {
    const fd = this.#open();
    if (this.#readOnly) throw new VfsError(SQLITE_READONLY_CANTINIT, `${this.#path} can only be read`);
    if (this.#regionSize && size !== this.#regionSize) {
      throw new VfsError(SQLITE_IOERR_SHMSIZE, `${this.#path}: regions of ${size} and ${this.#regionSize} bytes`);
    }
    this.#regionSize = size;
    const end = (region + 1) * size;
    try {
      const length = fs.fstatSync(fd).size;
      if (length >= end) return true;
      if (!extend) return false;
      // Real zeros rather than a hole, as os_unix.c writes them: a full disk fails here, not later.
      const zeros = Buffer.alloc(end - length);
      let done = 0;
      while (done < zeros.length) done += fs.writeSync(fd, zeros, done, zeros.length - done, length + done);
      return true;
    } catch (err) {
      throw fail(SQLITE_IOERR_SHMSIZE, 'cannot grow', this.#path, err);
    }
  }

  /** `length` bytes from `offset` of a region (all of it by default), as a view valid until
   * the next call. */
  read(region, offset = 0, length = this.#regionSize - offset) {
    if (!this.#buffer || this.#buffer.length < length) this.#buffer = Buffer.alloc(Math.max(length, this.#regionSize));
    const buffer = this.#buffer;
    const at = region * this.#regionSize + offset;
    let done = 0;
    try {
      while (done < length) {
        const n = fs.readSync(this.#fd, buffer, done, length - done, at + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      throw fail(SQLITE_IOERR_SHMMAP, 'cannot read', this.#path, err);
    }
    buffer.fill(0, done, length);
    return buffer.subarray(0, length);
  }

  write(region, offset, data) {
    try {
      let done = 0;
      const at = region * this.#regionSize + offset;
      while (done < data.length) done += fs.writeSync(this.#fd, data, done, data.length - done, at + done);
    } catch (err) {
      throw fail(SQLITE_IOERR_SHMMAP, 'cannot write', this.#path, err);
    }
  }

  /** xShmLock on locks offset..offset+count-1: false (SQLITE_BUSY) when held elsewhere. */
  lock(offset, count, flags) {
    const start = LOCK_BASE + offset;
    if (!(flags & SQLITE_SHM_LOCK)) {
      this.#locks.unlock(this.#fd, start, count);
      return true;
    }
    return this.#locks.tryLock(this.#fd, start, count, flags & SQLITE_SHM_EXCLUSIVE ? WRITE : READ);
  }

  /** xShmUnmap: closing the descriptor lets go of every lock; `deleteStorage` removes the file. */
  unmap(deleteStorage) {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.#buffer = null;
    try {
      if (deleteStorage) fs.rmSync(this.#path, { force: true });
    } finally {
      fs.closeSync(fd);
    }
  }
}
