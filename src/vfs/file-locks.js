// Native byte-range locks for node-fs: SQLite's unix locking protocol (os_unix.c unixLock,
// unixUnlock, unixCheckReservedLock) on the same lock bytes native SQLite uses, so connections
// in other processes, in other worker threads, in this thread, and native sqlite3 programs all
// exclude one another.
//
// The locks are Linux open-file-description locks (fcntl F_OFD_SETLK, through the npm package
// fs-native-extensions). They belong to the file descriptor, not to the process, so two
// connections of one process exclude each other, and closing some other descriptor of the file
// does not drop them (the trap of classic POSIX locks that os_unix.c works around). They conflict
// with the POSIX locks native SQLite takes. A held lock reads as a refusal (SQLITE_BUSY); SQLite's
// busy handler does the waiting.
//
// Elsewhere (macOS: the package offers whole-file flock() only; Windows: mandatory locks), when
// the package does not load, or when a probe lock on a temporary file fails (a kernel or file
// system without OFD locks), `nativeLocks` is null, `nativeLocksUnavailable` says why, and
// node-fs falls back to dir-lock.js.

import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VfsError, noteLockRefusal } from './base.js';
import {
  SQLITE_IOERR_CHECKRESERVEDLOCK,
  SQLITE_IOERR_LOCK,
  SQLITE_IOERR_RDLOCK,
  SQLITE_IOERR_UNLOCK,
  SQLITE_LOCK_NONE as NONE,
  SQLITE_LOCK_SHARED as SHARED,
  SQLITE_LOCK_RESERVED as RESERVED,
  SQLITE_LOCK_PENDING as PENDING,
  SQLITE_LOCK_EXCLUSIVE as EXCLUSIVE,
} from './constants.js';

// The lock bytes of os.h: in the page that holds byte 1 GiB, which SQLite never stores data in.
export const PENDING_BYTE = 0x40000000;
export const RESERVED_BYTE = PENDING_BYTE + 1;
export const SHARED_FIRST = PENDING_BYTE + 2;
export const SHARED_SIZE = 510;

/**
 * Whether `locks` ({ tryLock, unlock }) work on a file in `dir`: null if they do, else why not.
 * Linux has had OFD locks since 3.15, but a kernel or file system may still refuse them
 * (EINVAL), and a lock that cannot be taken must not pass for one that is held elsewhere.
 */
export function probeLocks(locks, dir = tmpdir()) {
  const file = join(dir, `.sqlite-component-lock-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch {
    return null; // nowhere to probe: the first real lock will tell
  }
  try {
    if (!locks.tryLock(fd, 0, 1, { shared: false })) return 'a lock on a new file was refused';
    locks.unlock(fd, 0, 1);
    return null;
  } catch (err) {
    return `locking a file failed: ${err?.message ?? String(err)}`;
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

let unavailable = null;

/** fs-native-extensions' { tryLock, unlock }, or null where OFD locks are not to be had. */
export const nativeLocks = (() => {
  if (process.platform !== 'linux') {
    unavailable = 'they need Linux';
    return null;
  }
  let locks;
  try {
    const { tryLock, unlock } = createRequire(import.meta.url)('fs-native-extensions');
    if (typeof tryLock !== 'function' || typeof unlock !== 'function') throw new Error('it has no tryLock and unlock');
    locks = { tryLock, unlock };
  } catch (err) {
    unavailable = `fs-native-extensions did not load: ${err.message}`;
    return null;
  }
  unavailable = probeLocks(locks);
  return unavailable ? null : locks;
})();

/** Why `nativeLocks` is null, or null when it is not. */
export const nativeLocksUnavailable = unavailable;

const READ = { shared: true };
const WRITE = { shared: false };

function fail(code, what, path, err) {
  return new VfsError(code, `${what} ${path}: ${err.message}`, { cause: err });
}

/** The lock of one open main database file, on its own descriptor `fd`. */
export class ByteRangeLock {
  #fd;
  #path;
  #level = NONE;
  #closed = false;
  // What the busy handler's sleep took after a refusal (#takeAhead) that SQLite has not yet
  // asked for again: SHARED (then #level is SHARED) or RESERVED (its byte alone, below it).
  #ahead = NONE;

  constructor(fd, path) {
    if (!nativeLocks) throw new Error('native file locks are not available on this platform');
    this.#fd = fd;
    this.#path = path;
  }

  get level() {
    return this.#level;
  }

  lock(level) {
    // SQLite asks again: what the sleep took is its own now (RESERVED once it asks for it).
    if (this.#ahead !== RESERVED || level >= RESERVED) this.#ahead = NONE;
    if (level <= this.#level) return true;
    const fd = this.#fd;
    const { tryLock } = nativeLocks;
    try {
      if (this.#level === NONE) {
        if (!this.#takeShared()) return this.#refused(SHARED);
        if (level === SHARED) return true;
      }
      if (level === RESERVED) {
        if (!tryLock(fd, RESERVED_BYTE, 1, WRITE)) return this.#refused(RESERVED);
        this.#level = RESERVED;
        return true;
      }
      // From RESERVED, PENDING is written first and kept if EXCLUSIVE is refused, so no new
      // reader starts while the old ones finish. From SHARED (a hot journal's rollback) os_unix.c
      // goes straight for the SHARED range.
      if (this.#level === RESERVED) {
        if (!tryLock(fd, PENDING_BYTE, 1, WRITE)) return false;
        this.#level = PENDING;
      }
      if (level === PENDING) return true;
      if (!tryLock(fd, SHARED_FIRST, SHARED_SIZE, WRITE)) return this.#level === PENDING ? this.#refused(EXCLUSIVE) : false;
      this.#level = EXCLUSIVE;
      return true;
    } catch (err) {
      throw fail(SQLITE_IOERR_LOCK, 'lock', this.#path, err);
    }
  }

  // NONE → SHARED. A read lock on PENDING first: refused while a writer waits for readers to
  // drain. Held only while the SHARED range is taken, then let go.
  #takeShared() {
    const { tryLock, unlock } = nativeLocks;
    if (!tryLock(this.#fd, PENDING_BYTE, 1, READ)) return false;
    let granted;
    try {
      granted = tryLock(this.#fd, SHARED_FIRST, SHARED_SIZE, READ);
    } finally {
      unlock(this.#fd, PENDING_BYTE, 1);
    }
    if (granted) this.#level = SHARED;
    return granted;
  }

  // A refusal SQLite's busy handler may sleep on: the sleep tries again as it goes (base.js,
  // noteLockRefusal), from where SQLite then stands. For SHARED and RESERVED that is NONE: SQLite
  // lets go of everything before it sleeps. For EXCLUSIVE it is PENDING, kept while readers drain.
  #refused(level) {
    const from = level === EXCLUSIVE ? PENDING : NONE;
    noteLockRefusal(() => this.#takeAhead(level, from));
    return false;
  }

  /**
   * The busy handler's sleep trying again, after a refusal, the lock SQLite wants: true once
   * held. SQLite's own retry then finds it held, so a sleeper wins the moment the lock comes free
   * rather than at the end of its sleep. Should that retry never come (the busy handler gave up),
   * it is let go at the next unlock, or at the next turn of the event loop.
   */
  #takeAhead(level, from) {
    if (this.#closed || this.#level !== from) return false;
    const fd = this.#fd;
    try {
      let held;
      if (level === SHARED) held = this.#takeShared();
      else if (level === RESERVED) held = nativeLocks.tryLock(fd, RESERVED_BYTE, 1, WRITE);
      else held = nativeLocks.tryLock(fd, SHARED_FIRST, SHARED_SIZE, WRITE); // over our own read lock
      if (!held) return false;
    } catch {
      return false; // SQLite's own retry meets the error and reports it
    }
    if (level === EXCLUSIVE) this.#level = EXCLUSIVE;
    this.#ahead = level;
    setImmediate(() => this.#dropAhead());
    return true;
  }

  // What the sleep took and SQLite never asked for, let go: back to where SQLite stands.
  #dropAhead() {
    const ahead = this.#ahead;
    if (ahead === NONE || this.#closed) return;
    try {
      if (ahead === EXCLUSIVE) {
        this.#ahead = NONE;
        // A downgrade of our own write lock: never refused.
        nativeLocks.tryLock(this.#fd, SHARED_FIRST, SHARED_SIZE, READ);
        this.#level = PENDING;
      } else if (ahead === SHARED || this.#level === NONE) {
        this.unlock(NONE);
      } else {
        this.#ahead = NONE;
        nativeLocks.unlock(this.#fd, RESERVED_BYTE, 1); // RESERVED's byte alone, below it
      }
    } catch {
      // The next lock or unlock meets the error and reports it.
    }
  }

  /** The file is closing: its descriptor (and any lock on it) is about to go. */
  close() {
    this.#closed = true;
    this.#ahead = NONE;
  }

  unlock(level) {
    level = Math.min(level, SHARED);
    if (this.#ahead === RESERVED) {
      // RESERVED's byte alone, below RESERVED: let go on its own (the rest is below).
      try {
        nativeLocks.unlock(this.#fd, RESERVED_BYTE, 1);
      } catch (err) {
        throw fail(SQLITE_IOERR_UNLOCK, 'unlock', this.#path, err);
      }
    }
    this.#ahead = NONE;
    if (level >= this.#level) return;
    const fd = this.#fd;
    const { tryLock, unlock } = nativeLocks;
    if (level === SHARED) {
      // Only EXCLUSIVE write-locked the SHARED range; below it the range is read-locked already.
      // A downgrade is never refused by a process that follows the protocol.
      if (this.#level === EXCLUSIVE) {
        let granted;
        try {
          granted = tryLock(fd, SHARED_FIRST, SHARED_SIZE, READ);
        } catch (err) {
          throw fail(SQLITE_IOERR_RDLOCK, 'unlock', this.#path, err);
        }
        if (!granted) throw new VfsError(SQLITE_IOERR_RDLOCK, `unlock ${this.#path}: read lock refused`);
      }
      try {
        unlock(fd, PENDING_BYTE, 2); // PENDING and RESERVED
      } catch (err) {
        throw fail(SQLITE_IOERR_UNLOCK, 'unlock', this.#path, err);
      }
    } else {
      try {
        unlock(fd, 0, 0); // the whole file, as os_unix.c does
      } catch (err) {
        throw fail(SQLITE_IOERR_UNLOCK, 'unlock', this.#path, err);
      }
    }
    this.#level = level;
  }

  checkReserved() {
    if (this.#level > SHARED) return true;
    if (this.#ahead === RESERVED) return false; // ours, not yet asked for: nobody else can hold it
    // os_unix.c asks F_GETLK, which the package does not offer. A read lock on RESERVED is refused
    // exactly when someone holds it; taken, it is let go at once. Being a read lock, it never
    // makes another checker fail.
    const fd = this.#fd;
    try {
      if (!nativeLocks.tryLock(fd, RESERVED_BYTE, 1, READ)) return true;
      nativeLocks.unlock(fd, RESERVED_BYTE, 1);
      return false;
    } catch (err) {
      throw fail(SQLITE_IOERR_CHECKRESERVEDLOCK, 'check the reserved lock of', this.#path, err);
    }
  }
}
