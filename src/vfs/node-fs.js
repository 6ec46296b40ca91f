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
//
// Confinement: `root` (a directory) keeps every file inside it. Relative names start at the root,
// not at process.cwd(); what counts is where a name really leads, symlinks followed, so `..`,
// absolute paths elsewhere and symlinks that lead out are refused with SQLITE_CANTOPEN and a
// message that says so. Every name SQLite hands over is checked (fullPathname, open, access,
// delete: journals and WALs are names too), and so are the `-shm` file and the fallback's lock
// directory, which are derived here. A checked name is opened as its real path, its last
// component with O_NOFOLLOW, and on Linux the descriptor is asked where it landed, so a symlink
// swapped in between the check and the open cannot lead out either. Temporary files (only with
// PRAGMA temp_store=FILE: this build keeps them in memory by default) are made in the root and
// unlinked at once where the system allows, so not even a crash leaves one behind.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Vfs, VfsFile, VfsError } from './base.js';
import { FileLock } from './locks.js';
import { ByteRangeLock, nativeLocks, nativeLocksUnavailable } from './file-locks.js';
import { DirLock } from './dir-lock.js';
import { ShmFile } from './shm-file.js';
import {
  SQLITE_CANTOPEN,
  SQLITE_CANTOPEN_ISDIR,
  SQLITE_READONLY_DIRECTORY,
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
  SQLITE_IOCAP_SUBPAGE_READ,
} from './constants.js';

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL, R_OK, W_OK } = fs.constants;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0; // Windows has none (nor unprivileged symlinks)

// Errors that mean "not allowed to write here", after which a read-write open retries read-only,
// as os_unix.c does.
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

// Reads land here and go out as a view, so a page read allocates nothing. One buffer serves the
// whole thread: the vfs import copies the bytes out before SQLite can make another call.
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

/** Whether the real path `real` is the real root `root` or lies beneath it. */
function isInside(root, real) {
  const rel = path.relative(root, real);
  // Not rel.startsWith('..'): a file named '..x.db' in the root is inside.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

// Where the absolute name `full` really leads: its real path if it exists; else the real path of
// its nearest existing ancestor with the rest appended, a dangling symlink on the way being
// followed to where an open with O_CREAT would make the file. Throws what the file system says
// of a component it cannot resolve (EACCES, ELOOP).
function realPathOf(full) {
  for (let hops = 0; hops < 40; hops++) {
    // existsSync first: the usual "no journal here" then costs no exception.
    if (fs.existsSync(full)) return fs.realpathSync.native(full);
    let dir = path.dirname(full);
    const rest = [path.basename(full)];
    let realDir;
    for (;;) {
      try {
        realDir = fs.realpathSync.native(dir);
        break;
      } catch (err) {
        const up = path.dirname(dir);
        if ((err.code !== 'ENOENT' && err.code !== 'ENOTDIR') || up === dir) throw err;
        rest.unshift(path.basename(dir));
        dir = up;
      }
    }
    const first = path.join(realDir, rest[0]);
    if (!fs.lstatSync(first, { throwIfNoEntry: false })?.isSymbolicLink()) return path.join(realDir, ...rest);
    full = path.join(path.resolve(realDir, fs.readlinkSync(first)), ...rest.slice(1));
  }
  throw Object.assign(new Error(`too many symbolic links in ${full}`), { code: 'ELOOP' });
}

/**
 * The real path of `filename` (relative to `root`) if it lies inside the real root `root`;
 * else a CANTOPEN VfsError that says where it leads. `entry`: only the directory holding the
 * name must be inside, for unlink, which removes a symlink and not what it points to.
 */
function confine(root, filename, { entry = false } = {}) {
  const shown = JSON.stringify(filename);
  // A C string ends at NUL, so such a name would mean one thing to SQLite and another to us.
  if (filename.includes('\0')) throw new VfsError(SQLITE_CANTOPEN, `${shown} contains a NUL byte`);
  const full = path.resolve(root, filename);
  let real;
  try {
    real = entry ? path.join(realPathOf(path.dirname(full)), path.basename(full)) : realPathOf(full);
  } catch (err) {
    throw new VfsError(SQLITE_CANTOPEN, `${shown}: ${err.message}`, { cause: err });
  }
  if (isInside(root, real)) return real;
  throw new VfsError(SQLITE_CANTOPEN, real === full
    ? `${shown} is outside the root ${root}`
    : `${shown} leads to ${real}, outside the root ${root}`);
}

// On Linux an open descriptor tells where it really landed, whatever was swapped into the path
// between the check and the open (O_NOFOLLOW covers only the last component). Elsewhere, or
// without /proc, the check before the open is all there is.
function landedInside(root, fd) {
  if (process.platform !== 'linux') return true;
  let real;
  try {
    real = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return true;
  }
  return isInside(root, real);
}

/** `fd`, the descriptor of the checked name `name`, if it landed inside `root`; else closes it and refuses. */
function keepInside(root, fd, name) {
  if (landedInside(root, fd)) return fd;
  fs.closeSync(fd);
  throw new VfsError(SQLITE_CANTOPEN, `${name} led outside the root ${root} while it was being opened`);
}

/** The real path of the directory `root`, checked once, so that moving a symlink later changes nothing. */
function realRoot(root) {
  if (typeof root !== 'string' || root === '') {
    throw new TypeError(`Expected "root" to be the path of a directory, got ${typeof root === 'string' ? "''" : String(root)}`);
  }
  let real;
  try {
    real = fs.realpathSync.native(root);
    if (!fs.statSync(real).isDirectory()) throw new Error(`${real} is not a directory`);
  } catch (err) {
    throw new TypeError(`Expected "root" to be an existing directory: ${err.message}`, { cause: err });
  }
  return real;
}

export class NodeFsVfs extends Vfs {
  name = 'node-fs';
  #native;
  #root = null; // the real path every file must lie in, or null: not confined

  /**
   * `locking`: 'auto' (the default), 'native' or 'fallback' (see the top of this file); `name`
   * registers this instance under another name than 'node-fs'; `root`, an existing directory,
   * keeps every file inside it (see the top of this file).
   */
  constructor({ locking = 'auto', name, root, ...options } = {}) {
    super(options);
    if (!['auto', 'native', 'fallback'].includes(locking)) {
      throw new TypeError(`Expected "locking" to be 'auto', 'native' or 'fallback', got ${String(locking)}`);
    }
    if (locking === 'native' && !nativeLocks) {
      throw new Error(`native file locks are not available here: ${nativeLocksUnavailable}`);
    }
    this.#native = locking !== 'fallback' && nativeLocks !== null;
    if (name !== undefined) this.name = name;
    if (root !== undefined && root !== null) this.#root = realRoot(root);
  }

  /** The real path of the directory every file is kept in, or null when files are not confined. */
  get root() {
    return this.#root;
  }

  /** 'native' or 'fallback': how this VFS locks databases. */
  get locking() {
    return this.#native ? 'native' : 'fallback';
  }

  open(filename, flags) {
    this.log?.('open', filename, flags);
    const root = this.#root;
    const temp = filename === null;
    let name;
    if (temp) {
      const unique = `sqlite-component-${randomBytes(12).toString('hex')}`;
      name = root === null ? path.join(os.tmpdir(), unique) : path.join(root, `.${unique}`);
    } else {
      name = root === null ? path.resolve(filename) : confine(root, filename);
    }
    // A confined name was checked as a real path: its last component must still be no symlink.
    const nofollow = root === null ? 0 : O_NOFOLLOW;

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
      fd = fs.openSync(name, mode | nofollow, 0o644);
    } catch (err) {
      if (err.code === 'EISDIR') throw fail(SQLITE_CANTOPEN_ISDIR, name, err);
      // A journal that cannot be made in a directory this process may not write to: SQLite
      // then says the database is read-only because of its directory, as os_unix.c does.
      if (err.code === 'EACCES' && flags & SQLITE_OPEN_CREATE && flags & NEW_JOURNAL && !fs.existsSync(name)) {
        throw fail(SQLITE_READONLY_DIRECTORY, name, err);
      }
      if (err.code === 'ELOOP' && nofollow) {
        throw new VfsError(SQLITE_CANTOPEN, `${name} became a symlink while it was being opened`, { cause: err });
      }
      if (mode === O_RDONLY || !NOT_WRITABLE.has(err.code)) throw fail(SQLITE_CANTOPEN, name, err);
      try {
        fd = fs.openSync(name, O_RDONLY | nofollow);
      } catch (err2) {
        throw fail(SQLITE_CANTOPEN, name, err2);
      }
      flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
    }
    if (root !== null) keepInside(root, fd, name);

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

    // A temporary file in the root goes at once where the system lets an open file go, so that
    // nothing is left in the user's directory even by a crash; the descriptor keeps the storage.
    let deleteOnClose = temp || Boolean(flags & SQLITE_OPEN_DELETEONCLOSE);
    if (temp && root !== null && process.platform !== 'win32') {
      try {
        fs.unlinkSync(name);
        deleteOnClose = false;
      } catch {
        // Then it goes at close, as the others do.
      }
    }

    // Only a main database is ever locked. Native locks sit on this very descriptor; the
    // fallback gathers this thread's connections by file identity (whichever node-fs instance
    // opened them: the lock directory knows one owner per thread), so that a second name for
    // the file, a hard link, meets the same lock.
    let lock = null;
    if (flags & SQLITE_OPEN_MAIN_DB) {
      if (root !== null && !this.#native) {
        // The lock directory is made and written here, not by SQLite: it must not lead out
        // either, now nor when a symlink is swapped in later (dir-lock.js checks it at each use).
        try {
          confine(root, `${name}.lock`);
        } catch (err) {
          fs.closeSync(fd);
          throw err;
        }
      }
      lock = this.#native
        ? new ByteRangeLock(fd, name)
        : new FileLock(`node-fs:${stat.dev}:${stat.ino}`,
          () => new DirLock(name, stat, root === null ? null : (dirFd) => landedInside(root, dirFd)));
    }
    const dirSync = Boolean(flags & SQLITE_OPEN_CREATE && flags & NEW_JOURNAL);
    // ShmFile opens `<db>-shm` itself, at the first map: under a root it checks the name, and
    // where the descriptor landed, as this open does.
    let shm = null;
    if (lock && this.#native) {
      shm = new ShmFile(name, nativeLocks, root === null ? null : {
        check: (shmName) => confine(root, shmName),
        landed: (shmFd, shmName) => keepInside(root, shmFd, shmName),
      });
    }
    // (A temporary file is never a database another program opens: its size is its size.)
    const file = new NodeFsFile(this, name, fd, lock, {
      deleteOnClose, dirSync, lockDir: lock && !this.#native, shm, mainDb: !temp && Boolean(flags & SQLITE_OPEN_MAIN_DB),
    });
    return { file, flags };
  }

  delete(filename, syncDir) {
    this.log?.('delete', filename, syncDir);
    const name = this.#root === null ? filename : confine(this.#root, filename, { entry: true });
    try {
      fs.unlinkSync(name);
    } catch (err) {
      throw fail(err.code === 'ENOENT' ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE, name, err);
    }
    // Without this a crash can bring a deleted hot journal back.
    if (syncDir) syncDirectory(path.dirname(path.resolve(name)), this.log);
  }

  access(filename, flags) {
    // Under a root, a journal or WAL name that a symlink leads out with is refused rather than
    // reported absent: a hot journal must not be silently passed over.
    if (this.#root !== null) filename = confine(this.#root, filename);
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
  // Under a root, the name is the checked real path.
  directoryExists(filename) {
    let full;
    try {
      full = this.#root === null ? path.resolve(filename) : confine(this.#root, filename);
    } catch {
      return true; // open says why the name is refused
    }
    return fs.existsSync(path.dirname(full));
  }

  // Component by component, as the kernel walks a name (so `link/..` counts as a link), from
  // the root for a relative name under a root, else from the current directory.
  symlinked(filename) {
    const absolute = path.isAbsolute(filename);
    let at = absolute ? path.parse(filename).root : (this.#root ?? fs.realpathSync(process.cwd()));
    for (const part of (absolute ? filename.slice(at.length) : filename).split(/[\\/]+/)) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        at = path.dirname(at);
        continue;
      }
      const next = path.join(at, part);
      try {
        if (fs.lstatSync(next).isSymbolicLink()) return true;
      } catch {
        return false; // what does not exist is no link
      }
      at = next;
    }
    return false;
  }

  fullPathname(filename) {
    if (this.#root !== null) return confine(this.#root, filename);
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
  #mainDb;

  // `shm`: a main database's -shm file (native locks only), opened at the first shmMap.
  constructor(vfs, name, fd, lock, { deleteOnClose, dirSync, lockDir, shm, mainDb }) {
    super(lock, shm);
    this.#mainDb = mainDb;
    this.path = name;
    this.#vfs = vfs;
    this.#fd = fd;
    this.#deleteOnClose = deleteOnClose;
    this.#dirSync = dirSync;
    this.#lockDir = lockDir;
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
    let size;
    try {
      size = fs.fstatSync(this.#fd).size;
    } catch (err) {
      throw fail(SQLITE_IOERR_FSTAT, this.path, err);
    }
    // A database of one byte is empty, as os_unix.c has it (SQLite ticket #3260: it writes that
    // byte itself on msdos filesystems), so native SQLite and we agree on what such a file is.
    return size === 1 && this.#mainDb ? 0 : size;
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SUBPAGE_READ;
  }

  close() {
    this.#vfs.log?.('close', this.path);
    // The descriptor is closed even if letting go of the lock failed: closing drops native locks.
    try {
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
