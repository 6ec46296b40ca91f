// The node-fs fallback lock, for platforms without native byte-range locks (file-locks.js): a
// lock directory `<db>.lock/` beside the database, shared by every process and thread that uses
// this package. Readers share, one writer commits, and the locks of dead processes are
// recovered. It does NOT exclude native sqlite3 programs, which know nothing of the directory.
//
// One lock per thread and file (locks.js gathers the thread's connections above it, as
// os_unix.c gathers a process's). Each role a thread holds is an empty file named after the role,
// the owner and the database file's identity, `<role>.<pid>-<threadId>-<start>.<dev>-<inode>`:
// shared, reserved (the one writer), pending (a writer waiting for readers to leave, or holding
// EXCLUSIVE). Only its owner creates or deletes a name, so there is no race over whose it is.
// Entries for another identity belong to a file since deleted (and still open somewhere): they
// stand in nobody's way.
//
// Mutual exclusion comes from "create, then look": whoever creates an entry and then sees a
// conflicting live entry removes its own and reports BUSY. Of two that create at once at least
// one sees the other (the later listing follows both creations), so two can never both win;
// both may lose, and SQLite's busy handler retries. This needs a file system whose directory
// listings show every finished create, as local ones do.
//
// Entries are made with O_EXCL and O_NOFOLLOW, never truncated: their names can be foreseen
// (pid, thread, start time), so a symlink planted under one must not lead a create out. Under
// node-fs's root the directory itself is checked at each use, as it may have been swapped for a
// symlink since the database was opened: on Linux each lock, unlock or check opens it
// (O_NOFOLLOW), checks that the descriptor lies inside the root, and reaches the entries through
// /proc/self/fd/N, which is the directory checked, not whatever its name leads to a moment later:
// creates, listings and deletes alike, for three syscalls per operation (open, readlink, close)
// and no descriptor kept between operations, which would outlive the directory once its last
// user removes it. Elsewhere an lstat before each use is all there is.
//
// An owner is alive while its process is (`start` tells a reused pid from the original: the
// kernel's start time on Linux, the process's time origin elsewhere). Entries of dead owners are
// deleted by whoever meets them. A worker thread that ends without closing its database leaves
// its entries until its process exits, as a leaked descriptor would keep a native lock.

import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { VfsError } from './base.js';
import {
  SQLITE_IOERR_CHECKRESERVEDLOCK,
  SQLITE_IOERR_LOCK,
  SQLITE_IOERR_UNLOCK,
  SQLITE_LOCK_NONE as NONE,
  SQLITE_LOCK_SHARED as SHARED,
  SQLITE_LOCK_RESERVED as RESERVED,
  SQLITE_LOCK_PENDING as PENDING,
  SQLITE_LOCK_EXCLUSIVE as EXCLUSIVE,
} from './constants.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = fs.constants.O_DIRECTORY ?? 0;
// On Linux /proc/self/fd/N leads to what descriptor N holds, whatever its path has become.
const PROC_FD = process.platform === 'linux' && fs.existsSync('/proc/self/fd');

// Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. The command name
// before it may hold spaces and parentheses, so count from the last ')'.
function linuxStartTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const kernelStart = process.platform === 'linux' ? linuxStartTime(process.pid) : null;
// performance.timeOrigin is the same in every thread of a process.
const START = kernelStart ? `k${kernelStart}` : `t${Math.round(performance.timeOrigin)}`;
const OWNER = `${process.pid}-${threadId}-${START}`;
const ENTRY = /^(shared|reserved|pending)\.([1-9]\d*)-(\d+)-([kt]\d+)\.(\d+-\d+)$/;

function isAlive(pid, start) {
  if (pid === process.pid) return start === START; // another thread here, or a dead pid's namesake
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code === 'ESRCH') return false; // EPERM: alive, someone else's
  }
  if (start[0] === 'k' && process.platform === 'linux') {
    const now = linuxStartTime(pid);
    if (now !== null && `k${now}` !== start) return false;
  }
  return true;
}

export class DirLock {
  #dir;
  #suffix; // `.<owner>.<identity>`: what ends our entries' names
  #identity;
  #inside; // under a root: fd → whether that descriptor lies inside it; else null
  #level = NONE;
  #held = new Set(); // roles with an entry of ours in #dir
  #at = null; // during an operation: the name entries are reached by, or null: no directory
  #fd = -1; // and the directory's descriptor, when #at goes through it

  /**
   * The lock for the database at `dbPath` (a full path) whose identity is `dev`-`ino`. `inside`,
   * under a root: a function telling whether a descriptor lies inside it (see the top of this file).
   */
  constructor(dbPath, { dev, ino } = { dev: 0, ino: 0 }, inside = null) {
    this.#dir = `${dbPath}.lock`;
    this.#identity = `${dev}-${ino}`;
    this.#suffix = `.${OWNER}.${this.#identity}`;
    this.#inside = inside;
  }

  get level() {
    return this.#level;
  }

  /** The name of the lock directory, for tests and error messages. */
  get directory() {
    return this.#dir;
  }

  lock(level) {
    if (level <= this.#level) return true;
    try {
      this.#enter(false);
      return this.#climb(level);
    } catch (err) {
      if (err instanceof VfsError) throw err;
      throw new VfsError(SQLITE_IOERR_LOCK, `lock ${this.#dir}: ${err.message}`, { cause: err });
    } finally {
      this.#leave();
    }
  }

  #climb(level) {
    if (this.#level === NONE) {
      if (!this.#take('shared', ['pending'])) return false;
      this.#level = SHARED;
      if (level === SHARED) return true;
    }
    if (level === RESERVED) {
      if (!this.#take('reserved', ['reserved'])) return false;
      this.#level = RESERVED;
      return true;
    }
    if (this.#level === SHARED) {
      // Straight to EXCLUSIVE (a hot journal's rollback): no reader and no other writer may remain.
      if (!this.#take('pending', ['pending', 'shared'])) return false;
      this.#level = EXCLUSIVE;
      return true;
    }
    if (this.#level === RESERVED) {
      if (!this.#take('pending', ['pending'])) return false;
      this.#level = PENDING;
    }
    if (level === PENDING) return true;
    if (this.#others(['shared'])) return false;
    this.#level = EXCLUSIVE;
    return true;
  }

  unlock(level) {
    level = Math.min(level, SHARED);
    if (level >= this.#level) return;
    try {
      this.#enter(false);
      this.#drop('pending');
      this.#drop('reserved');
      if (level === NONE) this.#drop('shared');
    } catch (err) {
      throw new VfsError(SQLITE_IOERR_UNLOCK, `unlock ${this.#dir}: ${err.message}`, { cause: err });
    } finally {
      this.#leave();
    }
    this.#level = level;
  }

  checkReserved() {
    if (this.#level >= RESERVED) return true;
    try {
      this.#enter(false);
      return this.#others(['reserved']);
    } catch (err) {
      throw new VfsError(SQLITE_IOERR_CHECKRESERVEDLOCK, `check ${this.#dir}: ${err.message}`, { cause: err });
    } finally {
      this.#leave();
    }
  }

  /** Lets go of the directory if no one uses it any more; a failure only leaves it behind. */
  removeDirectoryIfEmpty() {
    try {
      fs.rmdirSync(this.#dir);
    } catch {
      // Not empty (someone else's lock) or gone already.
    }
  }

  // Where this operation reaches the directory: sets #at (null if there is none; made first if
  // `create`) and, on Linux under a root, #fd. See the top of this file.
  #enter(create) {
    this.#leave();
    if (create) fs.mkdirSync(this.#dir, { recursive: true });
    if (this.#inside === null) {
      this.#at = this.#dir; // by name: a missing directory shows as ENOENT where it matters
      return;
    }
    if (!PROC_FD) {
      const stat = fs.lstatSync(this.#dir, { throwIfNoEntry: false });
      if (stat && !stat.isDirectory()) throw new Error(`${this.#dir} is not a directory (a symlink?)`);
      this.#at = stat ? this.#dir : null;
      return;
    }
    let fd;
    try {
      fd = fs.openSync(this.#dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      if (err.code === 'ENOENT') return;
      if (err.code === 'ELOOP' || err.code === 'ENOTDIR') {
        throw new Error(`${this.#dir} is not a directory (a symlink?)`, { cause: err });
      }
      throw err;
    }
    if (!this.#inside(fd)) {
      fs.closeSync(fd);
      throw new Error(`${this.#dir} leads outside the root`);
    }
    this.#fd = fd;
    this.#at = `/proc/self/fd/${fd}`;
  }

  #leave() {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
    this.#at = null;
  }

  // Creates our entry for `role`, then gives it back if a live owner holds any of `conflicts`.
  #take(role, conflicts) {
    const entry = role + this.#suffix;
    for (let attempt = 0; ; attempt++) {
      try {
        // The directory is made on first use, and may vanish between mkdir and open when its
        // last user removes it: then it is made again.
        if (attempt > 0 || this.#at === null) this.#enter(true);
        if (this.#at === null) throw Object.assign(new Error(`${this.#dir} vanished`), { code: 'ENOENT' });
        this.#create(entry);
        break;
      } catch (err) {
        // On a read-only file system nobody can write the database: reading needs no entry.
        if (err.code === 'EROFS' && role === 'shared') return true;
        if (err.code !== 'ENOENT' || attempt === 10) throw err;
      }
    }
    this.#held.add(role);
    if (!this.#others(conflicts)) return true;
    this.#drop(role);
    return false;
  }

  // Never through a symlink and never truncating (O_EXCL). An entry of our name that is there
  // already is ours if it is a plain file (we create and delete only our own names, and
  // never write to them); anything else was planted there and is refused.
  #create(entry) {
    const name = path.join(this.#at, entry);
    try {
      fs.closeSync(fs.openSync(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644));
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (!fs.lstatSync(name).isFile()) throw new Error(`${path.join(this.#dir, entry)} is not a plain file (a symlink?)`);
    }
  }

  #drop(role) {
    if (!this.#held.has(role)) return;
    if (this.#at !== null) {
      try {
        fs.unlinkSync(path.join(this.#at, role + this.#suffix));
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
    }
    this.#held.delete(role);
  }

  // Whether a live owner other than us holds one of `roles`; dead owners' entries are deleted.
  #others(roles) {
    if (this.#at === null) return false;
    let names;
    try {
      names = fs.readdirSync(this.#at);
    } catch (err) {
      if (err.code === 'ENOENT') return false;
      throw err;
    }
    let found = false;
    for (const name of names) {
      const m = ENTRY.exec(name);
      if (!m) continue; // not ours to judge
      const [, role, pid, thread, start, identity] = m;
      if (`${pid}-${thread}-${start}` === OWNER) continue;
      if (!isAlive(Number(pid), start)) {
        try {
          fs.unlinkSync(path.join(this.#at, name));
        } catch {
          // Someone else cleaned it first.
        }
        continue;
      }
      if (identity === this.#identity && roles.includes(role)) found = true;
    }
    return found;
  }
}
