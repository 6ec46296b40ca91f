// A VFS over real files through node:fs, laid out exactly as native SQLite lays them out (the
// database, `<db>-journal` beside it), so either can open what the other wrote.
//
// Supported: read/write/truncate/sync/size on any offset Number can hold exactly, read-only
// fallback, temp files in os.tmpdir(), DELETEONCLOSE, durable deletes.
// Left out: WAL's shared memory and mmap (the vfs interface has no xShm* or xFetch, so WAL
// needs locking_mode=EXCLUSIVE), and locking against other processes and threads (see
// locks.js): do not let a native sqlite3 write a file while this process has it open.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Vfs, VfsFile, VfsError } from './base.js';
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
  SQLITE_OPEN_READONLY,
  SQLITE_OPEN_READWRITE,
  SQLITE_ACCESS_EXISTS,
  SQLITE_ACCESS_READWRITE,
  SQLITE_SYNC_DATAONLY,
  SQLITE_IOCAP_POWERSAFE_OVERWRITE,
} from './constants.js';

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL, F_OK, R_OK, W_OK } = fs.constants;

// Errors that mean "not allowed to write here", after which a read-write open retries read-only,
// as os_unix.c does.
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

// Reads land here and go out as a view, so a page read allocates nothing. One buffer serves the
// whole thread: the bridge copies the bytes out before SQLite can make another call.
let scratch = Buffer.alloc(0);

function fail(code, what, err) {
  return new VfsError(code, `${what}: ${err.message}`, { cause: err });
}

export class NodeFsVfs extends Vfs {
  name = 'node-fs';

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
    let isDirectory;
    try {
      isDirectory = fs.fstatSync(fd).isDirectory();
    } catch (err) {
      fs.closeSync(fd);
      throw fail(SQLITE_CANTOPEN, name, err);
    }
    if (isDirectory) {
      fs.closeSync(fd);
      throw new VfsError(SQLITE_CANTOPEN_ISDIR, `${name} is a directory`);
    }

    const deleteOnClose = temp || Boolean(flags & SQLITE_OPEN_DELETEONCLOSE);
    return { file: new NodeFsFile(this, name, fd, deleteOnClose), flags };
  }

  delete(filename, syncDir) {
    this.log?.('delete', filename, syncDir);
    try {
      fs.unlinkSync(filename);
    } catch (err) {
      throw fail(err.code === 'ENOENT' ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE, filename, err);
    }
    if (!syncDir) return;
    // Without this a crash can bring a deleted hot journal back. A directory that cannot be
    // opened is let go, as os_unix.c does; one that cannot be synced is an error.
    let dir;
    try {
      dir = fs.openSync(path.dirname(path.resolve(filename)), O_RDONLY);
    } catch {
      return;
    }
    try {
      fs.fsyncSync(dir);
    } catch (err) {
      throw fail(SQLITE_IOERR_DIR_FSYNC, filename, err);
    } finally {
      fs.closeSync(dir);
    }
  }

  access(filename, flags) {
    const mode =
      flags === SQLITE_ACCESS_EXISTS ? F_OK : flags === SQLITE_ACCESS_READWRITE ? R_OK | W_OK : R_OK;
    try {
      fs.accessSync(filename, mode);
      return true;
    } catch {
      return false; // os_unix.c too reads every failure as "no"
    }
  }

  // Symlinks are not followed, so a database reached through a link keeps its journal beside the
  // link, and two different paths to one file are two files to the lock table.
  fullPathname(filename) {
    return path.resolve(filename);
  }
}

class NodeFsFile extends VfsFile {
  #vfs;
  #fd;
  #deleteOnClose;

  constructor(vfs, name, fd, deleteOnClose) {
    super(`${vfs.name}:${name}`);
    this.path = name;
    this.#vfs = vfs;
    this.#fd = fd;
    this.#deleteOnClose = deleteOnClose;
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
    try {
      if (flags & SQLITE_SYNC_DATAONLY) fs.fdatasyncSync(this.#fd);
      else fs.fsyncSync(this.#fd);
    } catch (err) {
      throw fail(SQLITE_IOERR_FSYNC, this.path, err);
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
    super.close();
    try {
      fs.closeSync(this.#fd);
      // Unlinked at close rather than at open so it also works on Windows, which refuses to
      // delete an open file.
      if (this.#deleteOnClose) fs.rmSync(this.path, { force: true });
    } catch (err) {
      throw fail(SQLITE_IOERR_CLOSE, this.path, err);
    }
  }
}
