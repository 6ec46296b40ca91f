// In-process file locks: SQLite's five-level locking protocol, shared by every connection in
// this JS thread.
//
// Each Database runs in its own wasm instance, so nothing inside SQLite stops two connections
// in one process from writing the same file at once; this table is what does. It follows the
// rules os_unix.c documents: any number of SHARED holders; one RESERVED holder alongside them;
// PENDING (on the way to EXCLUSIVE) refuses new SHARED so the writer is not starved; EXCLUSIVE
// only once no other SHARED remains, and a refused EXCLUSIVE keeps PENDING so the writer can
// retry while readers drain.
//
// Out of scope: other processes and other worker threads (each has its own copy of this
// module). Node has no fcntl() byte-range locks, so a native sqlite3 or a second Node process
// writing the same file at the same time is NOT excluded and can corrupt it.

import {
  SQLITE_LOCK_NONE,
  SQLITE_LOCK_SHARED,
  SQLITE_LOCK_RESERVED,
  SQLITE_LOCK_PENDING,
  SQLITE_LOCK_EXCLUSIVE,
} from './constants.js';

// key → { readers: Set<FileLock> (everyone at SHARED or above), writer: the one FileLock at
// RESERVED or above, or null; pending: the writer is at PENDING or EXCLUSIVE }.
// An entry lives while it has readers, so an idle file leaves nothing behind.
const table = new Map();

/** One open file's hold on the lock for `key` (VFS name + full path). */
export class FileLock {
  #key;
  #level = SQLITE_LOCK_NONE;

  constructor(key) {
    if (typeof key !== 'string') throw new TypeError('Expected the lock key to be a string');
    this.#key = key;
  }

  get level() {
    return this.#level;
  }

  /** xLock: climbs to `level`; false (SQLite's BUSY) when another holder is in the way. */
  lock(level) {
    if (level <= this.#level) return true;
    let entry = table.get(this.#key);
    if (!entry) table.set(this.#key, (entry = { readers: new Set(), writer: null, pending: false }));

    // SQLite asks for SHARED from NONE and higher levels from SHARED; a jump from NONE climbs
    // through SHARED and, if refused higher up, stays at whatever it reached.
    if (this.#level === SQLITE_LOCK_NONE) {
      if (entry.pending) return false;
      entry.readers.add(this);
      this.#level = SQLITE_LOCK_SHARED;
      if (level === SQLITE_LOCK_SHARED) return true;
    }

    if (entry.writer && entry.writer !== this) return false;
    entry.writer = this;
    if (level === SQLITE_LOCK_RESERVED) {
      this.#level = SQLITE_LOCK_RESERVED;
      return true;
    }

    entry.pending = true;
    this.#level = SQLITE_LOCK_PENDING;
    if (level === SQLITE_LOCK_PENDING) return true;
    if (entry.readers.size > 1) return false;
    this.#level = SQLITE_LOCK_EXCLUSIVE;
    return true;
  }

  /** xUnlock: drops to `level` (SHARED or NONE); never fails. */
  unlock(level) {
    level = Math.min(level, SQLITE_LOCK_SHARED); // xUnlock is only ever asked for these two
    if (level >= this.#level) return;
    const entry = table.get(this.#key);
    if (this.#level >= SQLITE_LOCK_RESERVED) {
      entry.writer = null;
      entry.pending = false;
    }
    if (level === SQLITE_LOCK_NONE) {
      entry.readers.delete(this);
      if (entry.readers.size === 0) table.delete(this.#key);
    }
    this.#level = level;
  }

  /** xCheckReservedLock: whether anyone, this holder included, is at RESERVED or above. */
  checkReserved() {
    return Boolean(table.get(this.#key)?.writer);
  }
}
