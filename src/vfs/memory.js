// A VFS that keeps files in memory, shared by every connection in this JS thread: two
// Databases opened on 'memory' with the same filename see the same data, until it is deleted.
// Nothing survives the process. Good for tests and scratch databases.

import { Vfs, VfsFile, VfsError } from './base.js';
import { FileLock } from './locks.js';
import { SharedMemory } from './shared-memory.js';
import {
  SQLITE_CANTOPEN,
  SQLITE_FULL,
  SQLITE_IOERR_DELETE_NOENT,
  SQLITE_IOERR_WRITE,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_OPEN_CREATE,
  SQLITE_OPEN_DELETEONCLOSE,
  SQLITE_OPEN_EXCLUSIVE,
  SQLITE_OPEN_READONLY,
  SQLITE_IOCAP_POWERSAFE_OVERWRITE,
  SQLITE_IOCAP_SUBPAGE_READ,
} from './constants.js';

// name → { data: Uint8Array (capacity), size }. Bytes past `size` are kept zero, so growing a
// file (by write or truncate) never brings back old contents.
const files = new Map();
let tempCount = 0;

export class MemoryVfs extends Vfs {
  name = 'memory';

  /** Every file by name, for tests: list with `.keys()`, drop with `.delete()` or `.clear()`. */
  static get files() {
    return files;
  }

  open(path, flags) {
    this.log?.('open', path, flags);
    let name = path;
    if (name === null) {
      do name = `temp:${++tempCount}`;
      while (files.has(name));
    }
    let entry = files.get(name);
    if (entry && flags & SQLITE_OPEN_EXCLUSIVE && flags & SQLITE_OPEN_CREATE) {
      throw new VfsError(SQLITE_CANTOPEN, `${name} already exists`);
    }
    if (!entry) {
      if (path !== null && !(flags & SQLITE_OPEN_CREATE)) {
        throw new VfsError(SQLITE_CANTOPEN, `${name} does not exist`);
      }
      files.set(name, (entry = { data: new Uint8Array(0), size: 0 }));
    }
    // A temp file is never reopened by name, so it goes when closed whatever the flags say.
    const deleteOnClose = path === null || Boolean(flags & SQLITE_OPEN_DELETEONCLOSE);
    const file = new MemoryFile(this, name, entry, deleteOnClose, Boolean(flags & SQLITE_OPEN_READONLY));
    return { file, flags };
  }

  delete(path, syncDir) {
    this.log?.('delete', path);
    if (!files.delete(path)) throw new VfsError(SQLITE_IOERR_DELETE_NOENT, `${path} does not exist`);
  }

  access(path, flags) {
    return files.has(path);
  }
}

class MemoryFile extends VfsFile {
  #vfs;
  #entry;
  #deleteOnClose;
  #readonly;

  constructor(vfs, name, entry, deleteOnClose, readonly) {
    // Locked by identity: a file deleted and made again under its name is another file.
    // WAL between the connections of this thread: the wal-index lives in shared-memory.js.
    super(new FileLock(entry), new SharedMemory(entry));
    this.path = name;
    this.#vfs = vfs;
    this.#entry = entry;
    this.#deleteOnClose = deleteOnClose;
    this.#readonly = readonly;
  }

  read(offset, length) {
    const { data, size } = this.#entry;
    return data.subarray(Math.min(offset, size), Math.min(offset + length, size));
  }

  write(offset, data) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_WRITE, `${this.path} is open read-only`);
    const end = offset + data.length;
    this.#reserve(end);
    this.#entry.data.set(data, offset);
    this.#entry.size = Math.max(this.#entry.size, end);
  }

  truncate(size) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_TRUNCATE, `${this.path} is open read-only`);
    const entry = this.#entry;
    if (size < entry.size) entry.data.fill(0, size, entry.size);
    else this.#reserve(size);
    entry.size = size;
  }

  size() {
    return this.#entry.size;
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SUBPAGE_READ;
  }

  close() {
    this.#vfs.log?.('close', this.path);
    super.close();
    // Only if the name still means this file: it may have been deleted and recreated meanwhile.
    if (this.#deleteOnClose && files.get(this.path) === this.#entry) files.delete(this.path);
  }

  // Doubling keeps a file that grows a page at a time from being copied on every write.
  #reserve(end) {
    const entry = this.#entry;
    if (end <= entry.data.length) return;
    // Near the engine's ArrayBuffer limit doubling can fail where the exact size would not.
    const data = allocate(Math.max(end, 2 * entry.data.length)) ?? allocate(end);
    if (!data) throw new VfsError(SQLITE_FULL, `${this.path}: cannot grow to ${end} bytes`);
    data.set(entry.data.subarray(0, entry.size));
    entry.data = data;
  }
}

function allocate(length) {
  try {
    return new Uint8Array(length);
  } catch {
    return null;
  }
}
