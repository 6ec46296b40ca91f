// The component's `vfs` import (wit/sqlite.wit), served by the JS VFSes registered here.
// One per instance: it maps the guest's small integer file ids to VfsFile objects, turns
// BigInt offsets into numbers, and turns every exception into the SQLite error code the guest
// expects (a thrown `{ payload }` is how jco returns the `err` case of a result). Nothing a
// VFS does may throw through the guest: what it returns is checked here, before jco's glue
// lowers it.

import {
  SQLITE_BUSY,
  SQLITE_CANTOPEN,
  SQLITE_IOERR_ACCESS,
  SQLITE_IOERR_CHECKRESERVEDLOCK,
  SQLITE_IOERR_CLOSE,
  SQLITE_IOERR_DELETE,
  SQLITE_IOERR_FSTAT,
  SQLITE_IOERR_FSYNC,
  SQLITE_IOERR_LOCK,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_SHMLOCK,
  SQLITE_IOERR_SHMMAP,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_IOERR_UNLOCK,
  SQLITE_IOERR_WRITE,
} from './constants.js';
import { asyncWaitPending, takeLockRefusal } from './base.js';

// The code each method reports when the VFS throws something that carries none.
const IOERR = {
  close: SQLITE_IOERR_CLOSE, read: SQLITE_IOERR_READ, write: SQLITE_IOERR_WRITE,
  truncate: SQLITE_IOERR_TRUNCATE, sync: SQLITE_IOERR_FSYNC, size: SQLITE_IOERR_FSTAT,
  lock: SQLITE_IOERR_LOCK, unlock: SQLITE_IOERR_UNLOCK,
  checkReservedLock: SQLITE_IOERR_CHECKRESERVEDLOCK, delete: SQLITE_IOERR_DELETE,
  access: SQLITE_IOERR_ACCESS,
};

const registry = new Map();
let defaultName;

export function registerVfs(vfs, { makeDefault = false } = {}) {
  registry.set(vfs.name, vfs);
  if (makeDefault || !defaultName) defaultName = vfs.name;
}

export function findVfs(name) {
  return registry.get(name);
}

export function defaultVfsName() {
  return defaultName;
}

function vfsNamed(name) {
  const vfs = registry.get(name);
  if (!vfs) throw { payload: SQLITE_CANTOPEN };
  return vfs;
}

// Atomics.wait is the one synchronous sleep. It needs a SharedArrayBuffer, which a page that
// is not cross-origin isolated lacks, and a browser's main thread refuses to wait at all: there
// the clock is watched instead. Made on first use, so importing the package never needs one.
let sleepCell;
function waitMs(ms) {
  if (sleepCell === undefined) {
    sleepCell = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;
  }
  try {
    if (sleepCell) {
      Atomics.wait(sleepCell, 0, 0, ms);
      return;
    }
  } catch {
    sleepCell = null; // a thread that may not wait
  }
  const end = performance.now() + ms;
  while (performance.now() < end);
}

// How often a busy handler's sleep tries a lock it was refused (base.js, noteLockRefusal): often
// enough to find the gap between a busy writer's commits, which is a few hundred microseconds.
const LOCK_RETRY_MS = 1;

function sleepMs(ms) {
  if (asyncWaitPending()) return;
  const retry = takeLockRefusal();
  if (!retry) {
    waitMs(ms);
    return;
  }
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) {
    if (retry()) return;
    waitMs(Math.min(LOCK_RETRY_MS, left));
  }
}

// Bytes a VFS read returned, as a Uint8Array of at most `length` bytes. Always a view of our
// own making: jco reads its properties again as it copies them into the guest, and a VFS's
// own object could answer differently then.
function readResult(data, length) {
  if (!ArrayBuffer.isView(data)) {
    throw new TypeError(`Expected the VFS read to return a Uint8Array, got ${data === null ? 'null' : typeof data}`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return bytes.byteLength > length ? bytes.subarray(0, length) : bytes;
}

// The code a VFS's exception carries, if it is one a failure may have (its primary code not
// SQLITE_OK): anything the exception does when asked stays here.
function codeOf(error) {
  try {
    const code = error?.code;
    return Number.isInteger(code) && code > 0 && code <= 0x7fffffff && (code & 0xff) !== 0 ? code : undefined;
  } catch {
    return undefined;
  }
}

// A VFS's file size as the import's u64.
function sizeOf(answer) {
  const size = BigInt(answer);
  if (size < 0n) throw new RangeError('Expected the VFS size to be at least 0');
  return size;
}

// An async VFS whose answers are already there (its cache) settles them as microtasks, and a
// query over cached pages would then hold the thread as long as it runs: no click, message or
// interrupt() could come in. So a storage call gives the event loop a turn when the last one
// was over a frame ago: a task of its own (scheduler.yield() would not do, as its continuation
// goes ahead of other tasks in Chromium).
let lastTurn = 0;
const frameMs = 16;
function eventLoopTurn() {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

// `answer`, at once or, when the last turn was over a frame ago, after one.
function turnIfDue(answer) {
  if (performance.now() - lastTurn <= frameMs) return answer;
  return eventLoopTurn().then(() => {
    lastTurn = performance.now();
    return answer;
  });
}

const isPayload = (e) => typeof e === 'object' && e !== null && Object.hasOwn(e, 'payload');

/**
 * The `vfs` import of one instance: `functions` for jco; `causeOf(code)`, the exception behind
 * the last failure if it produced `code`; `closeAll()`, which lets go of every file (and so
 * every lock) the instance holds, for when the instance dies.
 * With `async`, for an instance that waits through JSPI (src/async-database.js): the storage
 * functions return promises, and a VFS's methods may return promises, which they await.
 * Without it, a VFS method that answers with a promise fails: nothing could wait for it.
 */
export function createVfsImport({ async = false } = {}) {
  const files = [null]; // id 0 is never handed out
  const freeIds = [];
  let lastFailure = null; // { code, error }: the VFS exception behind the last error code

  // Never throws: what a VFS threw must not unwind through the guest.
  function failure(error, fallback) {
    const code = codeOf(error) ?? fallback;
    lastFailure = { code, error };
    return { payload: code };
  }

  // What a VFS's open answered, checked and given an id; a file it opened but described badly
  // is closed again.
  function adopt(opened, flags) {
    let file;
    let openFlags;
    let sharedMemory;
    try {
      if (typeof opened !== 'object' || opened === null) throw new TypeError('Expected the VFS open to return { file, flags }');
      file = opened.file;
      if (typeof file !== 'object' || file === null) throw new TypeError('Expected the VFS open to return a file object');
      openFlags = opened.flags ?? flags;
      if (!Number.isInteger(openFlags) || openFlags < -0x80000000 || openFlags > 0x7fffffff) {
        throw new TypeError('Expected the VFS open to return flags as an integer');
      }
      sharedMemory = Boolean(file.sharedMemory);
    } catch (e) {
      try {
        file?.close?.();
      } catch {
        // A file opened but described badly is let go of; its own failure is no news.
      }
      throw failure(e, SQLITE_CANTOPEN);
    }
    const id = freeIds.pop() ?? files.length;
    files[id] = file;
    return { file: id, openFlags, sharedMemory };
  }

  const functions = {
    open(vfsName, path, flags) {
      const vfs = vfsNamed(vfsName);
      if (vfs.async) {
        const error = new TypeError(`The ${vfs.name} VFS is async: its databases open with await Database.open(name, { vfs: '${vfs.name}' })`);
        throw failure(error, SQLITE_CANTOPEN);
      }
      let opened;
      try {
        opened = vfs.open(path ?? null, flags);
      } catch (e) {
        throw failure(e, SQLITE_CANTOPEN);
      }
      return adopt(opened, flags);
    },
    close(id) {
      const file = files[id];
      files[id] = null;
      freeIds.push(id);
      try {
        file.close();
      } catch (e) {
        throw failure(e, IOERR.close);
      }
    },
    read(id, offset, length) {
      try {
        return readResult(files[id].read(Number(offset), length), length);
      } catch (e) {
        throw failure(e, IOERR.read);
      }
    },
    write(id, offset, data) {
      try {
        files[id].write(Number(offset), data);
      } catch (e) {
        throw failure(e, IOERR.write);
      }
    },
    truncate(id, size) {
      try {
        files[id].truncate(Number(size));
      } catch (e) {
        throw failure(e, IOERR.truncate);
      }
    },
    sync(id, flags) {
      try {
        files[id].sync(flags);
      } catch (e) {
        throw failure(e, IOERR.sync);
      }
    },
    fileSize(id) {
      try {
        return sizeOf(files[id].size());
      } catch (e) {
        throw failure(e, IOERR.size);
      }
    },
    lock(id, level) {
      let granted;
      try {
        granted = files[id].lock(level);
      } catch (e) {
        throw failure(e, IOERR.lock);
      }
      if (!granted) throw { payload: SQLITE_BUSY };
    },
    unlock(id, level) {
      try {
        files[id].unlock(level);
      } catch (e) {
        throw failure(e, IOERR.unlock);
      }
    },
    checkReservedLock(id) {
      try {
        return Boolean(files[id].checkReservedLock());
      } catch (e) {
        throw failure(e, IOERR.checkReservedLock);
      }
    },
    // These two cannot report failure: a broken VFS gets the safe defaults.
    sectorSize(id) {
      try {
        return files[id].sectorSize() | 0;
      } catch {
        return 4096;
      }
    },
    deviceCharacteristics(id) {
      try {
        return files[id].deviceCharacteristics() | 0;
      } catch {
        return 0;
      }
    },
    shmMap(id, region, size, extend) {
      try {
        return Boolean(files[id].shmMap(region, size, extend));
      } catch (e) {
        throw failure(e, SQLITE_IOERR_SHMMAP);
      }
    },
    shmRead(id, region, offset, length) {
      try {
        return readResult(files[id].shmRead(region, offset, length), length);
      } catch (e) {
        throw failure(e, SQLITE_IOERR_SHMMAP);
      }
    },
    shmWrite(id, region, offset, data) {
      try {
        files[id].shmWrite(region, offset, data);
      } catch (e) {
        throw failure(e, SQLITE_IOERR_SHMMAP);
      }
    },
    shmLock(id, offset, count, flags) {
      let granted;
      try {
        granted = files[id].shmLock(offset, count, flags);
      } catch (e) {
        throw failure(e, SQLITE_IOERR_SHMLOCK);
      }
      if (!granted) throw { payload: SQLITE_BUSY };
    },
    shmUnmap(id, deleteStorage) {
      try {
        files[id].shmUnmap(deleteStorage);
      } catch (e) {
        throw failure(e, SQLITE_IOERR_SHMMAP);
      }
    },
    delete(vfsName, path, syncDir) {
      try {
        vfsNamed(vfsName).delete(path, syncDir);
      } catch (e) {
        throw failure(e, IOERR.delete);
      }
    },
    access(vfsName, path, flags) {
      try {
        return Boolean(vfsNamed(vfsName).access(path, flags));
      } catch (e) {
        throw failure(e, IOERR.access);
      }
    },
    fullPathname(vfsName, path) {
      try {
        const vfs = vfsNamed(vfsName);
        const full = vfs.fullPathname(path);
        if (typeof full !== 'string') throw new TypeError('Expected the VFS fullPathname to return a string');
        return { path: full, symlink: vfs.symlinked?.(path) === true }; // (a VFS of its own may have none)
      } catch (e) {
        throw failure(e, SQLITE_CANTOPEN);
      }
    },
    randomness: (length) => crypto.getRandomValues(new Uint8Array(length)),
    sleep: (microseconds) => sleepMs(Math.ceil(microseconds / 1000)),
    currentTime: () => Date.now(),
  };

  if (async) Object.assign(functions, asyncFunctions());

  // The storage functions for an async instance: the same checks on what a VFS answers. An
  // answer that is no promise is passed on as it is, so the instance goes on without suspending
  // (JSPI suspends only for a promise; scripts/fix-async-glue.mjs makes jco's glue pass plain
  // answers through): an IndexedDB VFS answering from its cache or its pending writes costs no
  // round trip through the event loop, which is 8 µs in Chromium and 78 µs in Firefox.
  function asyncFunctions() {
    const settle = (code, call, make = () => undefined) => {
      const rejected = (e) => {
        throw isPayload(e) ? e : failure(e, code);
      };
      const made = (value) => {
        try {
          return make(value);
        } catch (e) {
          return rejected(e);
        }
      };
      let answer;
      try {
        answer = call();
      } catch (e) {
        rejected(e);
      }
      if (answer instanceof Promise) return answer.then(made, rejected).then(turnIfDue);
      return turnIfDue(made(answer));
    };
    const granted = (ok) => {
      if (!ok) throw { payload: SQLITE_BUSY };
    };
    return {
      open(vfsName, path, flags) {
        const vfs = vfsNamed(vfsName);
        const rejected = (e) => {
          throw failure(e, SQLITE_CANTOPEN);
        };
        let opened;
        try {
          opened = vfs.open(path ?? null, flags);
        } catch (e) {
          rejected(e);
        }
        if (opened instanceof Promise) return opened.then((o) => adopt(o, flags), rejected);
        return adopt(opened, flags);
      },
      async close(id) {
        const file = files[id];
        files[id] = null;
        freeIds.push(id);
        return settle(IOERR.close, () => file.close());
      },
      read: (id, offset, length) => settle(IOERR.read, () => files[id].read(Number(offset), length), (data) => readResult(data, length)),
      write: (id, offset, data) => settle(IOERR.write, () => files[id].write(Number(offset), data)),
      truncate: (id, size) => settle(IOERR.truncate, () => files[id].truncate(Number(size))),
      sync: (id, flags) => settle(IOERR.sync, () => files[id].sync(flags)),
      fileSize: (id) => settle(IOERR.size, () => files[id].size(), sizeOf),
      lock: (id, level) => settle(IOERR.lock, () => files[id].lock(level), granted),
      unlock: (id, level) => settle(IOERR.unlock, () => files[id].unlock(level)),
      checkReservedLock: (id) => settle(IOERR.checkReservedLock, () => files[id].checkReservedLock(), Boolean),
      shmMap: (id, region, size, extend) => settle(SQLITE_IOERR_SHMMAP, () => files[id].shmMap(region, size, extend), Boolean),
      shmRead: (id, region, offset, length) => settle(SQLITE_IOERR_SHMMAP, () => files[id].shmRead(region, offset, length), (data) => readResult(data, length)),
      shmWrite: (id, region, offset, data) => settle(SQLITE_IOERR_SHMMAP, () => files[id].shmWrite(region, offset, data)),
      shmLock: (id, offset, count, flags) => settle(SQLITE_IOERR_SHMLOCK, () => files[id].shmLock(offset, count, flags), granted),
      shmUnmap: (id, deleteStorage) => settle(SQLITE_IOERR_SHMMAP, () => files[id].shmUnmap(deleteStorage)),
      delete: (vfsName, path, syncDir) => settle(IOERR.delete, () => vfsNamed(vfsName).delete(path, syncDir)),
      access: (vfsName, path, flags) => settle(IOERR.access, () => vfsNamed(vfsName).access(path, flags), Boolean),
      async fullPathname(vfsName, path) {
        const vfs = vfsNamed(vfsName);
        return settle(SQLITE_CANTOPEN, async () => [await vfs.fullPathname(path), await vfs.symlinked?.(path)], ([full, symlink]) => {
          if (typeof full !== 'string') throw new TypeError('Expected the VFS fullPathname to return a string');
          return { path: full, symlink: symlink === true };
        });
      },
      // A real wait: the instance is suspended meanwhile, and the thread goes on.
      sleep: (microseconds) => new Promise((resolve) => setTimeout(resolve, Math.ceil(microseconds / 1000))),
    };
  }

  return {
    functions,
    causeOf(code) {
      const last = lastFailure;
      lastFailure = null;
      // SQLite passes a VFS's extended code on as it is, or keeps only its primary code; a
      // failure SQLite shrugged off earlier (a missing journal to delete, say) has another code.
      return last && (last.code === code || (last.code & 0xff) === code) ? last.error : undefined;
    },
    /** Forgets the last failure, for an instance handed to another Database. */
    forgetFailure() {
      lastFailure = null;
    },
    /** How many files the instance has open: none once its connection closed cleanly. */
    openFileCount() {
      return files.length - 1 - freeIds.length;
    },
    closeAll() {
      for (let id = 1; id < files.length; id++) {
        const file = files[id];
        files[id] = null;
        try {
          // An async VFS's close answers with a promise: its failure has no one to reach either.
          Promise.resolve(file?.close()).catch(() => {});
        } catch {
          // The instance is gone; a file that will not close has nothing left to report to.
        }
      }
    },
  };
}
