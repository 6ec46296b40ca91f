// The shape every JS VFS has, with safe defaults: what the vfs import (vfs-import.js) calls, and what a concrete VFS
// (memory.js, node-fs.js) overrides.
//
// Everything is synchronous: SQLite calls these from inside a wasm call and cannot wait. An
// async VFS (`async = true`, e.g. indexeddb.js) may return promises from the same methods
// instead, which an AsyncDatabase's instance waits for through JSPI (async-database.js); an
// answer it has at hand is best returned as it is (or thrown), which costs no suspension.
// A failure is thrown, as a VfsError when the VFS knows the extended code; vfs-import.js turns
// anything else into the default code for the method.

import {
  SQLITE_CANTOPEN,
  SQLITE_IOERR_DELETE,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_WRITE,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_IOERR_FSTAT,
  SQLITE_LOCK_NONE,
  SQLITE_LOCK_SHARED,
} from './constants.js';
import { FileLock } from './locks.js';

// The lock of a file nobody else locks: SQLite would only ask for it on a main database.
class Unlocked {
  level = SQLITE_LOCK_NONE;
  lock(level) {
    if (level > this.level) this.level = level;
    return true;
  }
  unlock(level) {
    if (level < this.level) this.level = level;
  }
  checkReserved() {
    return this.level > SQLITE_LOCK_SHARED;
  }
}

/** A failure with the SQLite result code (extended where one fits) the vfs import should return. */
// Work a VFS waits for that only this thread's event loop can finish (the opfs VFS getting its
// turn with a database back from another tab). A synchronous sleep meanwhile would only burn
// the time it waits for, so xSleep returns at once while any is pending, and SQLite's busy
// handler gives up quickly: the caller gets SQLITE_BUSY and retries after yielding.
let asyncWaits = 0;

/** Counts one wait in (`+1`) or out (`-1`). */
export function countAsyncWait(delta) {
  asyncWaits += delta;
}

export function asyncWaitPending() {
  return asyncWaits > 0;
}

// A lock the VFS was refused just now, for which SQLite's busy handler is about to sleep (it lets
// go of every lock first, then sleeps 1 to 100 ms between tries). A blind sleep loses to a writer
// that commits back to back: it lets go and takes the lock again within a few hundred
// microseconds, so a sleeper that wakes every 100 ms almost never finds it free, and starves.
// So the sleep tries the lock itself as it goes, `retry()` → true once it holds it, and ends
// then; SQLite's own next try then finds it held. Only a try within REFUSAL_FRESH_MS of the
// refusal counts: a later sleep is about something else.
const REFUSAL_FRESH_MS = 20;
let refusal = null;

/** Notes the lock a VFS was refused: `retry()` tries it again, true once it is held. */
export function noteLockRefusal(retry) {
  refusal = { retry, at: performance.now() };
}

/** The retry of a lock refused just now, once (or null). */
export function takeLockRefusal() {
  const noted = refusal;
  refusal = null;
  return noted && performance.now() - noted.at < REFUSAL_FRESH_MS ? noted.retry : null;
}

export class VfsError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'VfsError';
    this.code = code;
  }
}

/** sqlite3_vfs: names files and opens them. */
export class Vfs {
  name = '';

  /**
   * `log`, if given, is called with a method name and its arguments on open, close and delete
   * (node-fs also on sync, and 'sync-dir' with the directory it syncs).
   */
  constructor({ log } = {}) {
    this.log = log;
  }

  /**
   * xOpen. `path` is null for a temporary file the VFS names itself; `flags` are SQLITE_OPEN_*.
   * Returns the file and the flags it was really opened with.
   */
  open(path, flags) {
    throw new VfsError(SQLITE_CANTOPEN, `${this.name || 'this VFS'} cannot open files`);
  }

  /** xDelete. `syncDir`: the deletion must be durable before returning. */
  delete(path, syncDir) {
    throw new VfsError(SQLITE_IOERR_DELETE, `${this.name || 'this VFS'} cannot delete files`);
  }

  /** xAccess: whether `path` exists (SQLITE_ACCESS_EXISTS) or is readable/writable. */
  access(path, flags) {
    return false;
  }

  /**
   * Whether the directory a database `filename` would be in exists: a Database refuses to
   * open a file where it does not, with better-sqlite3's TypeError. VFSes without
   * directories say yes.
   */
  directoryExists(filename) {
    return true;
  }

  /**
   * Why database `filename` cannot be opened synchronously now, or null: a Database says this
   * reason in its error's message (SQLITE_CANTOPEN), not only in its cause.
   */
  unopenableReason(filename) {
    return null;
  }

  /** xFullPathname: the one name under which the VFS knows `path`. */
  fullPathname(path) {
    return path;
  }

  /**
   * Whether reaching `path` goes through a symbolic link: a Database opened with `nofollow`
   * refuses such a file (SQLITE_CANTOPEN). VFSes without links say no.
   */
  symlinked(path) {
    return false;
  }

  /**
   * The async step, if any, this VFS needs before SQLite can open database `filename`
   * synchronously (Database.open awaits it): resolves to a lease with `release()`, which the
   * Database calls when it closes, or to null when nothing was needed.
   */
  async acquire(filename, options) {
    return null;
  }
}

/**
 * sqlite3_file: one open file. Locking is delegated to a lock object; SQLite locks main database
 * files only, so other files can do without one.
 */
export class VfsFile {
  #lock;
  #shm;

  /**
   * `lock` is what excludes other connections: an object with `level`, `lock(level)` → bool,
   * `unlock(level)` and `checkReserved()` (a FileLock, or node-fs's native locks); a string, which
   * names the file in an in-process FileLock (VFS name + full path); or null for a file that is
   * never locked (journals, temp files), whose lock only records the level asked for.
   * `sharedMemory`, for a main database whose VFS can share WAL's wal-index between connections,
   * serves the shm* methods below: an object with map, read, write, lock and unmap (the memory
   * VFS's SharedMemory, node-fs's ShmFile).
   */
  constructor(lock, sharedMemory = null) {
    this.#shm = sharedMemory;
    if (typeof lock === 'string') this.#lock = new FileLock(lock);
    else if (lock === null) this.#lock = new Unlocked();
    else if (typeof lock?.lock === 'function' && typeof lock.unlock === 'function' && typeof lock.checkReserved === 'function') {
      this.#lock = lock;
    } else throw new TypeError('Expected a lock, a lock key string, or null');
  }

  /**
   * xRead: up to `length` bytes from `offset`, fewer only at end of file. The result may be a
   * view into the VFS's own memory, valid until the next call on the VFS.
   */
  read(offset, length) {
    throw new VfsError(SQLITE_IOERR_READ, 'read is not supported');
  }

  /** xWrite: all of `data` at `offset`, growing the file (with zeros in any gap). */
  write(offset, data) {
    throw new VfsError(SQLITE_IOERR_WRITE, 'write is not supported');
  }

  /** xTruncate. */
  truncate(size) {
    throw new VfsError(SQLITE_IOERR_TRUNCATE, 'truncate is not supported');
  }

  /** xSync: `flags` are SQLITE_SYNC_NORMAL/FULL, maybe | SQLITE_SYNC_DATAONLY. */
  sync(flags) {
    // Nothing is buffered here, so there is nothing to flush.
  }

  /** xFileSize. */
  size() {
    throw new VfsError(SQLITE_IOERR_FSTAT, 'size is not supported');
  }

  /** xLock: false when another connection holds the file (SQLITE_BUSY). */
  lock(level) {
    return this.#lock.lock(level);
  }

  /** xUnlock. */
  unlock(level) {
    this.#lock.unlock(level);
  }

  /** xCheckReservedLock. */
  checkReservedLock() {
    return this.#lock.checkReserved();
  }

  /** The SQLITE_LOCK_* level this file holds. */
  get lockLevel() {
    return this.#lock.level;
  }

  /** xSectorSize: the unit a crash can tear; 4096 suits today's disks. */
  sectorSize() {
    return 4096;
  }

  /** xDeviceCharacteristics: no SQLITE_IOCAP_* promise unless a subclass can keep it. */
  deviceCharacteristics() {
    return 0;
  }

  /**
   * Whether this file offers WAL's shared memory, the shm* methods below (wit/sqlite.wit,
   * `shm-map`). Without it, SQLite keeps WAL to locking_mode=EXCLUSIVE.
   */
  get sharedMemory() {
    return this.#shm !== null;
  }

  /** xShmMap: whether the region exists; `extend` creates it (and those before it) zero-filled. */
  shmMap(region, size, extend) {
    return this.#shm.map(region, size, extend);
  }

  /** The region's bytes `offset`..`offset + length`, as a view valid until the next call. */
  shmRead(region, offset, length) {
    return this.#shm.read(region, offset, length);
  }

  shmWrite(region, offset, data) {
    this.#shm.write(region, offset, data);
  }

  /** xShmLock: false when another connection's lock is in the way (SQLITE_BUSY). */
  shmLock(offset, count, flags) {
    return this.#shm.lock(offset, count, flags);
  }

  /** xShmUnmap: drops this file's shm locks; `deleteStorage` (the last user) drops the index. */
  shmUnmap(deleteStorage) {
    this.#shm.unmap(deleteStorage);
  }

  /** xClose. Subclasses call this first to let go of the lock, then release their storage. */
  close() {
    this.#shm?.unmap(false);
    this.#lock.unlock(SQLITE_LOCK_NONE);
    this.#lock.close?.();
  }
}
