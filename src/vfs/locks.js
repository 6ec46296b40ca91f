// In-thread file locks: SQLite's five-level locking protocol between the connections of this JS
// thread, arranged as os_unix.c arranges it (its unixInodeInfo), with an optional system lock
// underneath that excludes other processes and threads.
//
// Each Database runs in its own wasm instance, so nothing inside SQLite stops two connections
// from writing one file at once; this table is what does. Files are keyed by identity, not by
// name (the memory VFS keys on its file object, node-fs on device + inode), so a second name for
// the same file — a hard link, a symlink — meets the same lock. The rules are os_unix.c's: any
// number of SHARED holders; one holder above SHARED; PENDING (on the way to EXCLUSIVE) refuses
// new SHARED so the writer is not starved; EXCLUSIVE only once no other SHARED remains, and a
// refused EXCLUSIVE keeps PENDING so the writer can retry while readers drain.
//
// The system lock, when there is one, is held once for the whole thread at the thread's highest
// level (os_unix.c does the same with fcntl locks, which belong to the process): SHARED is taken
// by the first reader and dropped by the last; every other step is taken by the one holder above
// SHARED. Memory files have none: no other thread can see them. The node-fs fallback uses the
// lock directory of dir-lock.js; node-fs with native locks needs no table at all (file-locks.js:
// its locks belong to each file descriptor).

import {
  SQLITE_LOCK_NONE as NONE,
  SQLITE_LOCK_SHARED as SHARED,
  SQLITE_LOCK_RESERVED as RESERVED,
  SQLITE_LOCK_PENDING as PENDING,
  SQLITE_LOCK_EXCLUSIVE as EXCLUSIVE,
} from './constants.js';

// key → { level: the highest level any holder here has, shared: how many holders are at SHARED
// or above, system: the cross-thread lock or null }. An entry lives while it has readers, so an
// idle file leaves nothing behind.
const table = new Map();

/**
 * One open file's hold on the lock for `key` (any value naming the file's identity: an object,
 * or a string such as VFS name + path). `makeSystem`, if given, builds the lock that excludes
 * other threads and processes: { lock(level) → bool, unlock(level), checkReserved() → bool },
 * called only with os_unix.c's transitions (NONE→SHARED, SHARED→RESERVED, SHARED→EXCLUSIVE,
 * RESERVED→PENDING, PENDING→EXCLUSIVE; unlock to SHARED or NONE).
 */
export class FileLock {
  #key;
  #makeSystem;
  #level = NONE;

  constructor(key, makeSystem = null) {
    if (key === undefined || key === null) throw new TypeError('Expected a lock key');
    this.#key = key;
    this.#makeSystem = makeSystem;
  }

  get level() {
    return this.#level;
  }

  /** xLock: climbs to `level`; false (SQLite's BUSY) when another holder is in the way. */
  lock(level) {
    if (level <= this.#level) return true;
    let entry = table.get(this.#key);

    // Someone else in this thread is above SHARED: no new reader past a PENDING, and no second
    // holder above SHARED.
    if (entry && this.#level !== entry.level && (entry.level >= PENDING || level > SHARED)) return false;

    if (this.#level === NONE) {
      if (entry) {
        // Others here read already: the system lock is held at SHARED (or RESERVED) for us all.
        entry.shared++;
      } else {
        entry = { level: NONE, shared: 0, system: this.#makeSystem?.() ?? null };
        if (entry.system && !entry.system.lock(SHARED)) return false;
        entry.shared = 1;
        entry.level = SHARED;
        table.set(this.#key, entry);
      }
      this.#level = SHARED;
      if (level === SHARED) return true;
    }

    const { system } = entry;
    if (level === RESERVED) {
      if (system && !system.lock(RESERVED)) return false;
      this.#level = entry.level = RESERVED;
      return true;
    }

    // PENDING or EXCLUSIVE. From RESERVED, PENDING comes first and is kept if EXCLUSIVE is
    // refused; from SHARED (a hot journal's rollback) EXCLUSIVE is tried directly, as os_unix.c does.
    if (this.#level === RESERVED) {
      if (system && !system.lock(PENDING)) return false;
      this.#level = entry.level = PENDING;
    }
    if (level === PENDING) return true;
    if (entry.shared > 1) return false;
    if (system && !system.lock(EXCLUSIVE)) return false;
    this.#level = entry.level = EXCLUSIVE;
    return true;
  }

  /** xUnlock: drops to `level` (SHARED or NONE); never fails unless the system lock does. */
  unlock(level) {
    level = Math.min(level, SHARED); // xUnlock is only ever asked for these two
    if (level >= this.#level) return;
    const entry = table.get(this.#key);
    const { system } = entry;
    if (this.#level > SHARED) {
      // The last reader drops the system lock altogether below; otherwise keep reading.
      if (level === SHARED || entry.shared > 1) system?.unlock(SHARED);
      entry.level = SHARED;
    }
    if (level === NONE) {
      if (--entry.shared === 0) {
        table.delete(this.#key);
        system?.unlock(NONE);
      }
    }
    this.#level = level;
  }

  /** xCheckReservedLock: whether anyone, this holder included, is at RESERVED or above. */
  checkReserved() {
    const entry = table.get(this.#key);
    if (entry && entry.level > SHARED) return true;
    if (entry?.system) return entry.system.checkReserved();
    if (!entry && this.#makeSystem) {
      // No reader here, so no system lock is held: ask another process through a fresh one.
      return this.#makeSystem().checkReserved();
    }
    return false;
  }
}
