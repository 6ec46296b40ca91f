// A VFS over real files through node:fs, laid out exactly as native SQLite lays them out (the
// database, `<db>-journal` beside the real file when the name is a symlink), so either can open
// what the other wrote — at the same time, too: on Linux the database is locked with native
// SQLite's own byte-range locks (file-locks.js), which exclude other connections, processes,
// worker threads and native sqlite3 alike.
//
// Supported: read/write/truncate/sync/size on any offset Number can hold exactly (2^53), read-only
// fallback, temp files in os.tmpdir(), DELETEONCLOSE, durable deletes, and the directory sync
// after a new journal's first sync that os_unix.c does.
// Options: `locking: 'auto' | 'native' | 'fallback'`. 'auto' takes native locks where they exist
// (Linux) and else the lock directory of dir-lock.js, which excludes only users of this package,
// not native sqlite3; 'fallback' forces that one (tests); 'native' refuses to start without them.
// Every process on one database must lock it the same way.
// WAL: with native locks, the wal-index is the `-shm` file native SQLite uses, with its locks
// (shm-file.js), so WAL works across connections, threads, processes and native sqlite3; with
// the fallback, WAL needs locking_mode=EXCLUSIVE. Left out: mmap (xFetch).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Vfs, VfsFile, VfsError } from './base.js';
import { FileLock } from './locks.js';
import { ByteRangeLock, nativeLocks } from './file-locks.js';
import { DirLock } from './dir-lock.js';
import { ShmFile } from './shm-file.js';
import {
  SQLITE_CANTOPEN,
  SQLITE_CANTOPEN_ISDIR,
  SQLITE_FULL,
  SQLITE_IOERR_CLOSE,
  SQLITE_IOERR_DELETE,
  SQLITE_IOERR_DELETE_NOENT,
  SQLITE_IOERR_DIR_FSYNC,
  SQLITE_IOERR_FSTAT,
  SQLITE_IOERR_FSYNC,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_IOERR_WRITE,
  SQLITE_OPEN_CREATE,
  SQLITE_OPEN_DELETEONCLOSE,
  SQLITE_OPEN_EXCLUSIVE,
  SQLITE_OPEN_MAIN_DB,
  SQLITE_OPEN_MAIN_JOURNAL,
  SQLITE_OPEN_SUPER_JOURNAL,
  SQLITE_OPEN_WAL,
  SQLITE_OPEN_READONLY,
  SQLITE_OPEN_READWRITE,
  SQLITE_ACCESS_EXISTS,
  SQLITE_ACCESS_READWRITE,
  SQLITE_SYNC_DATAONLY,
  SQLITE_IOCAP_POWERSAFE_OVERWRITE,
} from './constants.js';

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL, R_OK, W_OK } = fs.constants;

// Errors that mean "not allowed to write here", after which a read-write open retries read-only,
// as os_unix.c does.
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

// Reads land here and go out as a view, so a page read allocates nothing. One buffer serves the
// whole thread: the bridge copies the bytes out before SQLite can make another call.
let scratch = Buffer.alloc(0);

function fail(code, what, err) {
  return new VfsError(code, `${what}: ${err.message}`, { cause: err });
}

// A journal or WAL created by this open: its directory entry must be made durable too, at its
// first sync (os_unix.c's UNIXFILE_DIRSYNC), or a crash can lose the whole hot journal.
const NEW_JOURNAL = SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL;

// Errors that mean "this file system cannot sync a directory", which os_unix.c lets go (AIX,
// some network and FUSE file systems); anything else, such as EIO, is a failed sync.
const NO_DIR_SYNC = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EISDIR', 'EPERM']);

/** fsync() a directory: one that cannot be opened is let go, as os_unix.c does. */
function syncDirectory(dirname, log) {
  let dir;
  try {
    dir = fs.openSync(dirname, O_RDONLY);
  } catch {
    return;
  }
  try {
    log?.('sync-dir', dirname);
    fs.fsyncSync(dir);
  } catch (err) {
    if (!NO_DIR_SYNC.has(err.code)) throw fail(SQLITE_IOERR_DIR_FSYNC, dirname, err);
  } finally {
    fs.closeSync(dir);
  }
}

export class NodeFsVfs extends Vfs {
  name = 'node-fs';
  #native;

  /**
   * `locking`: 'auto' (the default), 'native' or 'fallback' (see the top of this file); `name`
   * registers this instance under another name than 'node-fs'.
   */
  constructor({ locking = 'auto', name, ...options } = {}) {
    super(options);
    if (!['auto', 'native', 'fallback'].includes(locking)) {
      throw new TypeError(`Expected "locking" to be 'auto', 'native' or 'fallback', got ${String(locking)}`);
    }
    if (locking === 'native' && !nativeLocks) {
      throw new Error('native file locks are not available here (they need Linux and fs-native-extensions)');
    }
    this.#native = locking !== 'fallback' && nativeLocks !== null;
    if (name !== undefined) this.name = name;
  }

  /** 'native' or 'fallback': how this VFS locks databases. */
  get locking() {
    return this.#native ? 'native' : 'fallback';
  }

  open(filename, flags) {
    this.log?.('open', filename, flags);
    const temp = filename === null;
    const name = temp
      ? path.join(os.tmpdir(), `sqlite-component-${randomBytes(12).toString('hex')}`)
      : path.resolve(filename);

    // Never O_TRUNC: opening an existing database or hot journal must keep its contents.
    let mode = O_RDONLY;
    if (temp) mode = O_RDWR | O_CREAT | O_EXCL;
    else if (flags & SQLITE_OPEN_READWRITE) {
      mode = O_RDWR;
      if (flags & SQLITE_OPEN_CREATE) mode |= O_CREAT;
      if (flags & SQLITE_OPEN_EXCLUSIVE) mode |= O_EXCL;
    }

    let fd;
    try {
      fd = fs.openSync(name, mode, 0o644);
    } catch (err) {
      if (err.code === 'EISDIR') throw fail(SQLITE_CANTOPEN_ISDIR, name, err);
      if (mode === O_RDONLY || !NOT_WRITABLE.has(err.code)) throw fail(SQLITE_CANTOPEN, name, err);
      try {
        fd = fs.openSync(name, O_RDONLY);
      } catch (err2) {
        throw fail(SQLITE_CANTOPEN, name, err2);
      }
      flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
    }

    // Linux lets O_RDONLY open a directory; SQLite must not mistake one for an empty database.
    let stat;
    try {
      stat = fs.fstatSync(fd, { bigint: true });
    } catch (err) {
      fs.closeSync(fd);
      throw fail(SQLITE_CANTOPEN, name, err);
    }
    if (stat.isDirectory()) {
      fs.closeSync(fd);
      throw new VfsError(SQLITE_CANTOPEN_ISDIR, `${name} is a directory`);
    }

    // Only a main database is ever locked. Native locks sit on this very descriptor; the
    // fallback gathers this thread's connections by file identity (whichever node-fs instance
    // opened them: the lock directory knows one owner per thread), so that a second name for
    // the file, a hard link, meets the same lock.
    let lock = null;
    if (flags & SQLITE_OPEN_MAIN_DB) {
      lock = this.#native
        ? new ByteRangeLock(fd, name)
        : new FileLock(`node-fs:${stat.dev}:${stat.ino}`, () => new DirLock(name, stat));
    }
    const dirSync = Boolean(flags & SQLITE_OPEN_CREATE && flags & NEW_JOURNAL);
    const deleteOnClose = temp || Boolean(flags & SQLITE_OPEN_DELETEONCLOSE);
    const shm = lock && this.#native ? new ShmFile(name, nativeLocks) : null;
    const file = new NodeFsFile(this, name, fd, lock, { deleteOnClose, dirSync, lockDir: lock && !this.#native, shm });
    return { file, flags };
  }

  delete(filename, syncDir) {
    this.log?.('delete', filename, syncDir);
    try {
      fs.unlinkSync(filename);
    } catch (err) {
      throw fail(err.code === 'ENOENT' ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE, filename, err);
    }
    // Without this a crash can bring a deleted hot journal back.
    if (syncDir) syncDirectory(path.dirname(path.resolve(filename)), this.log);
  }

  access(filename, flags) {
    // SQLite asks whether a journal and a WAL exist at the start of every read transaction.
    // existsSync answers without building an exception for the usual "no", which accessSync
    // costs several microseconds for.
    if (flags === SQLITE_ACCESS_EXISTS) return fs.existsSync(filename);
    try {
      fs.accessSync(filename, flags === SQLITE_ACCESS_READWRITE ? R_OK | W_OK : R_OK);
      return true;
    } catch {
      return false; // os_unix.c too reads every failure as "no"
    }
  }

  // Symlinks are resolved, as native SQLite resolves them, so that the journal lands beside the
  // real file, where every other opener looks for it. A file that does not exist yet is named
  // in its directory's real path; a directory that does not exist leaves the name as it is.
  fullPathname(filename) {
    const full = path.resolve(filename);
    try {
      return fs.realpathSync(full);
    } catch {
      try {
        return path.join(fs.realpathSync(path.dirname(full)), path.basename(full));
      } catch {
        return full;
      }
    }
  }
}

class NodeFsFile extends VfsFile {
  #vfs;
  #fd;
  #deleteOnClose;
  #dirSync; // a new journal's directory is still to be synced
  #lockDir; // the fallback's lock directory may be left empty by this close
  #shm; // a main database's -shm file (native locks only), opened at the first shmMap

  constructor(vfs, name, fd, lock, { deleteOnClose, dirSync, lockDir, shm }) {
    super(lock);
    this.path = name;
    this.#vfs = vfs;
    this.#fd = fd;
    this.#deleteOnClose = deleteOnClose;
    this.#dirSync = dirSync;
    this.#lockDir = lockDir;
    this.#shm = shm;
  }

  get sharedMemory() {
    return this.#shm !== null;
  }

  shmMap(region, size, extend) {
    return this.#shm.map(region, size, extend);
  }

  shmRead(region) {
    return this.#shm.read(region);
  }

  shmWrite(region, offset, data) {
    this.#shm.write(region, offset, data);
  }

  shmLock(offset, count, flags) {
    return this.#shm.lock(offset, count, flags);
  }

  shmUnmap(deleteStorage) {
    this.#shm.unmap(deleteStorage);
  }

  read(offset, length) {
    if (scratch.length < length) scratch = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      // readSync may stop short of `length` before end of file; only 0 means the end.
      while (done < length) {
        const n = fs.readSync(this.#fd, scratch, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      throw fail(SQLITE_IOERR_READ, this.path, err);
    }
    return scratch.subarray(0, done);
  }

  write(offset, data) {
    let done = 0;
    try {
      while (done < data.length) {
        done += fs.writeSync(this.#fd, data, done, data.length - done, offset + done);
      }
    } catch (err) {
      throw fail(err.code === 'ENOSPC' ? SQLITE_FULL : SQLITE_IOERR_WRITE, this.path, err);
    }
  }

  truncate(size) {
    try {
      fs.ftruncateSync(this.#fd, size);
    } catch (err) {
      throw fail(SQLITE_IOERR_TRUNCATE, this.path, err);
    }
  }

  // Node offers no F_FULLFSYNC, so on macOS SYNC_FULL is only as strong as fsync().
  sync(flags) {
    this.#vfs.log?.('sync', this.path, flags);
    try {
      if (flags & SQLITE_SYNC_DATAONLY) fs.fdatasyncSync(this.#fd);
      else fs.fsyncSync(this.#fd);
    } catch (err) {
      throw fail(SQLITE_IOERR_FSYNC, this.path, err);
    }
    if (this.#dirSync) {
      syncDirectory(path.dirname(this.path), this.#vfs.log);
      this.#dirSync = false;
    }
  }

  size() {
    try {
      return fs.fstatSync(this.#fd).size;
    } catch (err) {
      throw fail(SQLITE_IOERR_FSTAT, this.path, err);
    }
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  }

  close() {
    this.#vfs.log?.('close', this.path);
    // The descriptor is closed even if letting go of the lock failed: closing drops native locks.
    try {
      this.#shm?.unmap(false);
      super.close();
    } finally {
      try {
        fs.closeSync(this.#fd);
        // Unlinked at close rather than at open so it also works on Windows, which refuses to
        // delete an open file.
        if (this.#deleteOnClose) fs.rmSync(this.path, { force: true });
      } catch (err) {
        throw fail(SQLITE_IOERR_CLOSE, this.path, err);
      }
      if (this.#lockDir) new DirLock(this.path).removeDirectoryIfEmpty();
    }
  }
}
