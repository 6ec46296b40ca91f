// WAL's shared memory (the wal-index) kept in this thread's memory: the regions of one
// database and SQLite's eight shm locks, shared by every connection of the thread that has it
// mapped. The memory VFS serves its `shm*` methods from here.
//
// Like the -shm file of native SQLite, it lasts while some connection has it mapped; the first
// connection to map it again starts from zeros (as native SQLite does when it finds no other
// user), and SQLite rebuilds the index from the WAL.

import { SQLITE_SHM_EXCLUSIVE, SQLITE_SHM_LOCK } from './constants.js';

// database identity → { regions: Uint8Array[], users: Set<SharedMemory> }
const indexes = new Map();

/** Whether some connection of this thread has the wal-index of `key` mapped. */
export function sharedMemoryInUse(key) {
  return indexes.has(key);
}

/** One connection's hold on the shared memory of the database known as `key`. */
export class SharedMemory {
  #key;
  #index = null;
  #shared = 0; // bit i: this connection holds lock i shared
  #exclusive = 0; // bit i: this connection holds lock i exclusively

  constructor(key) {
    this.#key = key;
  }

  #attach() {
    if (this.#index) return this.#index;
    let index = indexes.get(this.#key);
    if (!index) indexes.set(this.#key, (index = { regions: [], users: new Set() }));
    index.users.add(this);
    return (this.#index = index);
  }

  /** xShmMap: whether `region` exists; `extend` creates it (and any before it) zero-filled. */
  map(region, size, extend) {
    const { regions } = this.#attach();
    if (region < regions.length) return true;
    if (!extend) return false;
    while (regions.length <= region) regions.push(new Uint8Array(size));
    return true;
  }

  read(region, offset, length) {
    return this.#attach().regions[region].subarray(offset, offset + length);
  }

  write(region, offset, data) {
    this.#attach().regions[region].set(data, offset);
  }

  /** xShmLock: false (SQLITE_BUSY) when another connection's lock is in the way. */
  lock(offset, count, flags) {
    const mask = ((1 << count) - 1) << offset;
    const exclusive = Boolean(flags & SQLITE_SHM_EXCLUSIVE);
    if (!(flags & SQLITE_SHM_LOCK)) {
      if (exclusive) this.#exclusive &= ~mask;
      else this.#shared &= ~mask;
      return true;
    }
    for (const other of this.#attach().users) {
      if (other === this) continue;
      if (other.#exclusive & mask) return false;
      if (exclusive && other.#shared & mask) return false;
    }
    if (exclusive) this.#exclusive |= mask;
    else this.#shared |= mask;
    return true;
  }

  /** xShmUnmap: lets go of every lock; the last user, or `deleteStorage`, drops the regions. */
  unmap(deleteStorage) {
    const index = this.#index;
    this.#shared = this.#exclusive = 0;
    this.#index = null;
    if (!index) return;
    index.users.delete(this);
    if (deleteStorage || index.users.size === 0) {
      if (indexes.get(this.#key) === index) indexes.delete(this.#key);
    }
  }
}
