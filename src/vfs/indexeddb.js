// The indexeddb VFS: databases kept in IndexedDB, for pages and Workers of one origin. It is an
// ASYNC VFS (`async = true`): its methods return promises, which the instance awaits through
// JSPI, so it can wait on IndexedDB and on Web Locks inside SQLite's calls.
//
// Schema (IndexedDB database `databaseName`, version 1):
//   files   keyPath 'path': { path, id, version, size }. `id` is random, drawn when the file is
//           created, so a file deleted and made again is never mistaken for the old one;
//           `version` counts the flushes that changed it.
//   blocks  key [path, index]: a Uint8Array of exactly BLOCK_SIZE bytes, the file's bytes from
//           index * BLOCK_SIZE. Bytes past `size` are zero and no block lies wholly past it; a
//           missing block inside the file reads as zeros.
//
// Which files live where: the main database (and a WAL, which SQLite uses here only with
// locking_mode=EXCLUSIVE, since there is no shared memory) is stored in IndexedDB. Rollback
// journals, super-journals and temporary files live in this VFS's memory only. That is safe
// because the database itself is never changed in IndexedDB except by one whole commit: its
// writes are buffered in memory and flushed in ONE readwrite IndexedDB transaction at xSync
// (SQLite syncs the database once per commit, after the journal and before deleting it), or
// when the lock drops below RESERVED with writes pending (synchronous=OFF never syncs). An
// IndexedDB transaction is all or nothing, so a page closed, crashed or reloaded mid-commit
// leaves IndexedDB at the last committed state, which is what rolling back a hot journal would
// have produced: there is nothing for another tab to roll back, and nobody needs the journal
// after the page is gone. While the page lives, ROLLBACK and statement rollback still have the
// journal in memory. A commit costs one IndexedDB transaction instead of three files' worth of
// writes and syncs. (journal_mode=MEMORY or OFF would do as well; DELETE, the default, is fine.)
// A connection abandoned mid-transaction (its file closed, or unlocked while its journal in
// memory is still hot) has its pending writes dropped, never flushed: IndexedDB keeps the state
// before the transaction. A flush that fails (quota exceeded is SQLITE_FULL) aborts whole, and
// the file reads as IndexedDB holds it again; SQLite rolls back with the journal in memory.
// What this costs: a transaction's writes wait in memory until it commits, and a transaction
// over several attached databases commits each atomically but not all together (the
// super-journal that would tie them is in memory too, as with journal_mode=MEMORY).
//
// Locking across tabs and Workers of the origin: SQLite's levels on Web Locks (navigator.locks),
// whose holds end with the page or Worker that holds them. For file `p` of IndexedDB database
// `d`, with `L` = `sqlite-component/idb:<d>:<p>`:
//   SHARED     `L` in shared mode, asked for with `ifAvailable`.
//   RESERVED   `L:reserved`, exclusive, `ifAvailable`: one writer at a time.
//   EXCLUSIVE  `L` in exclusive mode, in place of the shared hold (a Web Lock cannot be
//              upgraded: the shared hold is let go first). Always on top of RESERVED, so while
//              a connection holds RESERVED nobody else can change the file, shared hold or not.
//   PENDING    the exclusive request for `L` waiting in the lock manager's queue, when other
//              readers still hold `L`. Web Locks grant in order, and an `ifAvailable` request
//              is refused while any request waits for the name, so from then on no new reader
//              gets SHARED while the old ones drain: os_unix.c's PENDING, which keeps a writer
//              from starving. xLock(EXCLUSIVE) answers false (SQLITE_BUSY) while the request
//              waits, and SQLite's busy handler asks again; unlock takes the request back.
// A level that cannot be had at once is SQLITE_BUSY (false), as native locks answer, and
// SQLite's busy handler retries under the caller's busy timeout: nothing here waits on another
// connection (waiting could outlast that timeout). The only requests that wait are the
// writer's own shared hold taken back, when no exclusive one can be in the way.
// Requests are separate per file object, so connections of one page exclude each other too.
// The shared hold outlives a read transaction until a writer asks for it on a BroadcastChannel
// (see WebLocks), so statements outside a transaction do not each pay a Web Lock request.
//
// Cache: blocks read while SHARED or more is held are kept (up to CACHE_BLOCKS per file), tagged
// with the file's (id, version). Taking SHARED reads the file's record (one IndexedDB get) and
// keeps the cache only if the record is unchanged; no other connection can change the file
// while SHARED is held, nor while it lingers (taking it up again reads nothing). Reads with no
// lock (SQLite peeks at the header when it opens) read the record and the blocks in one
// transaction and cache nothing.
//
// Names: `fullPathname` drops leading and doubled slashes and `.`, resolves `..`, and gives the
// name without a leading '/': '/a/./b.db' → 'a/b.db'. Temporary files get names starting with
// '/', which no full pathname has.
//
// Not supported: WAL's shared memory (`sharedMemory` is false), so WAL only with
// locking_mode=EXCLUSIVE; SQLITE_IOCAP_BATCH_ATOMIC (the vfs import has no file controls).

import { Vfs, VfsFile, VfsError } from './base.js';
import {
  SQLITE_CANTOPEN,
  SQLITE_FULL,
  SQLITE_IOCAP_POWERSAFE_OVERWRITE,
  SQLITE_IOERR_ACCESS,
  SQLITE_IOERR_CLOSE,
  SQLITE_IOERR_DELETE,
  SQLITE_IOERR_DELETE_NOENT,
  SQLITE_IOERR_FSTAT,
  SQLITE_IOERR_FSYNC,
  SQLITE_IOERR_LOCK,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_IOERR_UNLOCK,
  SQLITE_IOERR_WRITE,
  SQLITE_IOERR_CHECKRESERVEDLOCK,
  SQLITE_LOCK_NONE as NONE,
  SQLITE_LOCK_SHARED as SHARED,
  SQLITE_LOCK_RESERVED as RESERVED,
  SQLITE_LOCK_PENDING as PENDING,
  SQLITE_LOCK_EXCLUSIVE as EXCLUSIVE,
  SQLITE_OPEN_CREATE,
  SQLITE_OPEN_DELETEONCLOSE,
  SQLITE_OPEN_EXCLUSIVE,
  SQLITE_OPEN_MAIN_JOURNAL,
  SQLITE_OPEN_READONLY,
  SQLITE_OPEN_SUBJOURNAL,
  SQLITE_OPEN_SUPER_JOURNAL,
  SQLITE_OPEN_TEMP_DB,
  SQLITE_OPEN_TEMP_JOURNAL,
  SQLITE_OPEN_TRANSIENT_DB,
  SQLITE_OPEN_WAL,
} from './constants.js';

export const BLOCK_SIZE = 4096;
const SCHEMA_VERSION = 1;
const CACHE_BLOCKS = 2048; // 8 MiB per open file
// Reads that miss the cache where the last one ended fetch ahead, twice as far each time up to
// 64 blocks (256 KiB) in the same IndexedDB transaction: a scan then costs a transaction per
// 256 KiB, not per page, while random reads fetch only what they need.
const MAX_READ_AHEAD = 64;
// Files that live in memory (see the top of this file).
const VOLATILE = SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_TEMP_JOURNAL
  | SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_DELETEONCLOSE;

export class IndexedDbVfs extends Vfs {
  name = 'indexeddb';
  async = true;
  #db = null; // Promise<IDBDatabase>, opened on first use
  #volatile = new Map(); // name → { data, size }: journals and temp files
  #open = new Map(); // path → Set<IdbFile>, to detach them when the file is deleted
  // name → { exists, by }: whether `-journal` and `-wal` files are in IndexedDB, as main
  // database file `by` saw when it took SHARED. SQLite asks at every read transaction; a WAL
  // comes and goes only under EXCLUSIVE, and this VFS keeps no journal in IndexedDB, so the
  // answer holds while `by` holds SHARED (this VFS's own opens and deletes update it).
  #seen = new Map();
  #tempCount = 0;

  /**
   * `databaseName`: the IndexedDB database that holds the files. `log`, if given, is called
   * with a method name and its arguments on open, close, delete, flush ('flush', path, blocks)
   * and each IndexedDB read of blocks ('fetch', path, indices).
   */
  constructor({ databaseName = 'sqlite-component', log } = {}) {
    super({ log });
    this.databaseName = databaseName;
  }

  fullPathname(path) {
    const parts = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (!parts.length) throw new VfsError(SQLITE_CANTOPEN, `${path} leaves the root`);
        parts.pop();
      } else parts.push(part);
    }
    if (!parts.length) throw new VfsError(SQLITE_CANTOPEN, `${JSON.stringify(path)} names no file`);
    return parts.join('/');
  }

  /**
   * { file, flags }, or a promise of it for a file in IndexedDB; SQLITE_CANTOPEN when missing
   * without CREATE, or IndexedDB is unavailable.
   */
  open(path, flags) {
    this.log?.('open', path, flags);
    if (path === null || flags & VOLATILE) return this.#openVolatile(path, flags);
    return this.#openStored(path, flags);
  }

  async #openStored(path, flags) {
    const name = this.fullPathname(path);
    if (typeof globalThis.navigator?.locks?.request !== 'function') {
      throw new VfsError(SQLITE_CANTOPEN, `Web Locks are unavailable here (they need a secure context), so the indexeddb VFS cannot lock ${name}`);
    }
    const db = await this.database(name);
    const create = Boolean(flags & SQLITE_OPEN_CREATE) && !(flags & SQLITE_OPEN_READONLY);
    let record;
    try {
      record = await transact(db, ['files'], create ? 'readwrite' : 'readonly', (tx) => {
        const files = tx.objectStore('files');
        let found;
        files.get(name).onsuccess = ({ target }) => {
          found = target.result;
          if (!found && create) files.add((found = { path: name, id: newId(), version: 0, size: 0 }));
          else if (found && create && flags & SQLITE_OPEN_EXCLUSIVE) found = 'exists';
        };
        return () => found;
      });
    } catch (e) {
      throw storageError(e, SQLITE_CANTOPEN, `unable to open ${name}`);
    }
    if (record === 'exists') throw new VfsError(SQLITE_CANTOPEN, `${name} already exists`);
    if (!record) throw new VfsError(SQLITE_CANTOPEN, `unable to open ${name}: it does not exist`);
    const file = new IdbFile(this, name, record, {
      readonly: Boolean(flags & SQLITE_OPEN_READONLY),
      // The WAL is used by one connection, under its EXCLUSIVE lock on the database: it has no
      // lock of its own to check its record at.
      unlocked: Boolean(flags & SQLITE_OPEN_WAL),
    });
    let files = this.#open.get(name);
    if (!files) this.#open.set(name, (files = new Set()));
    files.add(file);
    const seen = this.#seen.get(name);
    if (seen) seen.exists = true;
    return { file, flags };
  }

  /** Deletes `path` (a promise for a file in IndexedDB); SQLITE_IOERR_DELETE_NOENT when it did not exist. */
  delete(path, syncDir) {
    this.log?.('delete', path);
    const name = this.fullPathname(path);
    if (this.#volatile.delete(name)) return undefined;
    return this.#deleteStored(name, syncDir);
  }

  async #deleteStored(name, syncDir) {
    const db = await this.database(name, SQLITE_IOERR_DELETE);
    let existed;
    try {
      existed = await transact(db, ['files', 'blocks'], 'readwrite', (tx) => {
        let found;
        tx.objectStore('files').get(name).onsuccess = ({ target }) => {
          found = Boolean(target.result);
          if (!found) return;
          tx.objectStore('files').delete(name);
          tx.objectStore('blocks').delete(blockRange(name, 0));
        };
        return () => found;
      }, syncDir ? { durability: 'strict' } : undefined);
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_DELETE, `cannot delete ${name}`);
    }
    if (!existed) throw new VfsError(SQLITE_IOERR_DELETE_NOENT, `${name} does not exist`);
    // Files still open on it go on as if unlinked: nothing they do reaches IndexedDB.
    for (const file of this.#open.get(name) ?? []) file.detach();
    const seen = this.#seen.get(name);
    if (seen) seen.exists = false;
  }

  /**
   * Whether `path` exists (every file here is readable and writable): known at once for a file
   * in memory or one seen under a lock, else a promise.
   */
  access(path, flags) {
    const name = this.fullPathname(path);
    if (this.#volatile.has(name)) return true;
    const seen = this.#seen.get(name);
    if (seen && seen.by.lockLevel >= SHARED) return seen.exists;
    return this.#accessStored(name);
  }

  async #accessStored(name) {
    const db = await this.database(name, SQLITE_IOERR_ACCESS);
    try {
      return await transact(db, ['files'], 'readonly', (tx) => {
        let found = false;
        tx.objectStore('files').getKey(name).onsuccess = ({ target }) => {
          found = target.result !== undefined;
        };
        return () => found;
      });
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_ACCESS, `cannot look up ${name}`);
    }
  }

  /**
   * The IndexedDB connection, opened on first use (and again after another context's upgrade
   * or deletion of the database closed it). A failure is `code` (SQLITE_CANTOPEN for open).
   */
  async database(path, code = SQLITE_CANTOPEN) {
    const opening = this.#db ??= openDatabase(this.databaseName, (closed) => {
      if (this.#db === opening) this.#db = null;
      closed?.close();
    });
    try {
      return await opening;
    } catch (e) {
      if (this.#db === opening) this.#db = null; // maybe better next time (storage unblocked)
      throw new VfsError(code, `IndexedDB is unavailable here, so the indexeddb VFS cannot open ${path}: `
        + `${e?.name ?? 'Error'}: ${e?.message ?? e}`, { cause: e });
    }
  }

  /**
   * Whether the rollback journal of database `path`, in memory, still holds a transaction
   * (SQLite's own test: not empty, first byte not zero).
   */
  /** What main database file `by` saw of file `name` as it took SHARED (see #seen). */
  saw(name, exists, by) {
    this.#seen.set(name, { exists, by });
  }

  hotJournal(path) {
    const journal = this.#volatile.get(`${path}-journal`);
    return Boolean(journal && journal.size > 0 && journal.data[0] !== 0);
  }

  /** Called by a file as it closes. */
  closed(file) {
    const files = this.#open.get(file.path);
    files?.delete(file);
    if (files?.size === 0) this.#open.delete(file.path);
  }

  #openVolatile(path, flags) {
    let name;
    if (path === null) name = `/temp-${++this.#tempCount}`;
    else name = this.fullPathname(path);
    let entry = this.#volatile.get(name);
    if (entry && flags & SQLITE_OPEN_EXCLUSIVE && flags & SQLITE_OPEN_CREATE) {
      throw new VfsError(SQLITE_CANTOPEN, `${name} already exists`);
    }
    if (!entry) {
      if (path !== null && !(flags & SQLITE_OPEN_CREATE)) throw new VfsError(SQLITE_CANTOPEN, `${name} does not exist`);
      this.#volatile.set(name, (entry = { data: new Uint8Array(0), size: 0 }));
    }
    const deleteOnClose = path === null || Boolean(flags & SQLITE_OPEN_DELETEONCLOSE);
    const onClose = deleteOnClose ? () => this.#volatile.get(name) === entry && this.#volatile.delete(name) : null;
    const file = new VolatileFile(name, entry, Boolean(flags & SQLITE_OPEN_READONLY), onClose);
    return { file, flags };
  }
}

/** A file of the database in IndexedDB: its committed state there, plus this connection's pending writes. */
class IdbFile extends VfsFile {
  #vfs;
  #readonly;
  #unlocked;
  #detached = false;
  #locks;
  // What IndexedDB holds, as of the record last read or written: a file is stale once its
  // record has another id or version.
  #id;
  #version;
  #committedSize;
  #cache = new Map(); // index → committed block, in least-recently-used order
  // Pending: blocks written since the last flush (whole images), the size now, and the first
  // block index from which stored blocks no longer count (a truncate since the last flush).
  #dirty = new Map();
  #size;
  #zeroFrom;
  #level = NONE;
  #nextMiss = -1; // the block a sequential reader would miss next
  #readAhead = 0;

  constructor(vfs, path, record, { readonly, unlocked }) {
    super(null); // locking is this class's own (Web Locks), below
    this.path = path;
    this.#vfs = vfs;
    this.#readonly = readonly;
    this.#unlocked = unlocked;
    this.#locks = new WebLocks(`sqlite-component/idb:${encodeURIComponent(vfs.databaseName)}:${path}`);
    this.#adopt(record);
  }

  get lockLevel() {
    return this.#level;
  }

  // Every method answers at once when it can (from the cache, the pending writes or the lock
  // it holds) and with a promise only when it must wait on IndexedDB or Web Locks: a plain
  // answer lets the instance go on without suspending (see vfs-import.js).

  /** Up to `length` bytes from `offset`, fewer only at end of file, in a new array. */
  read(offset, length) {
    return this.#answer(SQLITE_IOERR_READ, 'cannot read', () => {
      if (this.#mustRevalidate()) return this.#readSnapshot(offset, length);
      const end = Math.min(offset + length, this.#size);
      const out = new Uint8Array(Math.max(0, end - offset));
      if (!out.length) return out;
      const first = Math.floor(offset / BLOCK_SIZE);
      const last = Math.floor((end - 1) / BLOCK_SIZE);
      const copy = (blocks) => {
        for (let i = first; i <= last; i++) copyBlock(out, offset, blocks.get(i), i);
        return out;
      };
      const blocks = this.#blocks(first, last);
      return blocks instanceof Promise ? blocks.then(copy) : copy(blocks);
    });
  }

  /** Writes all of `data` at `offset` (a gap reads as zeros); kept in memory until the next flush. */
  write(offset, data) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_WRITE, `${this.path} is open read-only`);
    if (!data.length) return undefined;
    return this.#answer(SQLITE_IOERR_WRITE, 'cannot write', () => {
      const end = offset + data.length;
      const first = Math.floor(offset / BLOCK_SIZE);
      const last = Math.floor((end - 1) / BLOCK_SIZE);
      const store = (old) => {
        for (let i = first; i <= last; i++) {
          const start = i * BLOCK_SIZE;
          let block;
          if (offset <= start && end >= start + BLOCK_SIZE) {
            block = data.subarray(start - offset, start - offset + BLOCK_SIZE);
            // A view of a larger buffer would be stored whole by the structured clone.
            if (block.byteLength !== block.buffer.byteLength) block = block.slice();
          } else {
            block = this.#dirty.get(i) ?? old.get(i).slice();
            const from = Math.max(offset, start);
            block.set(data.subarray(from - offset, Math.min(end, start + BLOCK_SIZE) - offset), from - start);
          }
          this.#setBlock(i, block);
        }
        this.#size = Math.max(this.#size, end);
      };
      // Blocks written only in part need what they held: fetched together.
      const partial = [first, last].filter((i) => offset > i * BLOCK_SIZE || end < (i + 1) * BLOCK_SIZE);
      const old = partial.length ? this.#blocks(partial[0], partial[partial.length - 1], partial) : null;
      return old instanceof Promise ? old.then(store) : store(old);
    });
  }

  truncate(size) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_TRUNCATE, `${this.path} is open read-only`);
    return this.#answer(SQLITE_IOERR_TRUNCATE, 'cannot truncate', () => {
      if (size >= this.#size) {
        this.#size = size;
        return undefined;
      }
      const kept = Math.ceil(size / BLOCK_SIZE); // blocks from here on are gone
      for (const i of this.#dirty.keys()) if (i >= kept) this.#dirty.delete(i);
      const cut = (block) => {
        if (block) {
          // The last block keeps zeros past the end, so growing again brings nothing back.
          block.fill(0, size % BLOCK_SIZE);
          this.#setBlock(kept - 1, block);
        }
        this.#zeroFrom = Math.min(this.#zeroFrom, kept);
        this.#size = size;
      };
      if (!(size % BLOCK_SIZE)) return cut(null);
      const i = kept - 1;
      const dirty = this.#dirty.get(i);
      if (dirty) return cut(dirty);
      const blocks = this.#blocks(i, i);
      return blocks instanceof Promise ? blocks.then((b) => cut(b.get(i).slice())) : cut(blocks.get(i).slice());
    });
  }

  /** The commit: pending writes go to IndexedDB in one transaction, durable when this resolves. */
  sync(flags) {
    return this.#flush(SQLITE_IOERR_FSYNC);
  }

  size() {
    return this.#answer(SQLITE_IOERR_FSTAT, 'cannot read the size of', () => {
      if (!this.#mustRevalidate()) return this.#size;
      return this.#revalidate().then(() => this.#size);
    });
  }

  /** False (SQLITE_BUSY) when another connection is in the way. See the top of this file. */
  lock(level) {
    if (level <= this.#level) return true;
    // The shared hold kept since the last transaction: nobody can have written meanwhile.
    if (level === SHARED && this.#locks.resume()) {
      this.#level = SHARED;
      return true;
    }
    return this.#answer(SQLITE_IOERR_LOCK, 'cannot lock', () => this.#lockAbove(level));
  }

  async #lockAbove(level) {
    const locks = this.#locks;
    if (this.#level === NONE && !locks.resume()) {
      if (!await locks.takeShared()) return false;
      try {
        await this.#revalidate(true);
      } catch (e) {
        await locks.releaseAll();
        throw e;
      }
    }
    this.#level = Math.max(this.#level, SHARED);
    if (level === SHARED) return true;
    if (locks.reserved === null && !await locks.takeReserved()) return false;
    if (level === RESERVED) {
      this.#level = RESERVED;
      return true;
    }
    // EXCLUSIVE (SQLite never asks for PENDING itself: it is a step on the way, kept when
    // refused, as os_unix.c keeps it).
    this.#level = Math.max(this.#level, RESERVED);
    if (!await locks.upgrade()) {
      this.#level = PENDING;
      return false;
    }
    this.#level = EXCLUSIVE;
    return true;
  }

  /**
   * Going below RESERVED, pending writes are flushed first (synchronous=OFF ends a transaction
   * so), unless this connection's journal is still hot: then the transaction was abandoned,
   * and its writes are dropped. A failed flush is the result, after the locks are let go.
   */
  unlock(level) {
    if (level >= this.#level) return undefined;
    // The end of a read transaction keeps the shared hold (see WebLocks): the next one starts
    // without a Web Lock request or a check of the record, unless a writer asked for it.
    if (this.#level === SHARED && level === NONE && this.#locks.linger()) {
      this.#level = NONE;
      return undefined;
    }
    return this.#unlockTo(level);
  }

  async #unlockTo(level) {
    let failure = null;
    if (this.#level >= RESERVED && level < RESERVED && this.#pending()) {
      if (this.#vfs.hotJournal(this.path)) this.#dropPending();
      else failure = await Promise.resolve(this.#flush(SQLITE_IOERR_WRITE)).then(() => null, (e) => e);
    }
    try {
      if (level === SHARED) await this.#locks.downgrade();
      else await this.#locks.releaseAll();
    } catch (e) {
      failure ??= storageError(e, SQLITE_IOERR_UNLOCK, `cannot unlock ${this.path}`);
    }
    this.#level = level;
    if (failure) throw failure;
  }

  checkReservedLock() {
    if (this.#level >= RESERVED) return true;
    return this.#answer(SQLITE_IOERR_CHECKRESERVEDLOCK, 'cannot check the lock of', () => this.#locks.reservedElsewhere());
  }

  // What `work()` answers, at once or as a promise; its failure, thrown or rejected, is `code`
  // ("<verb> <path>") unless it is a VfsError already.
  #answer(code, verb, work) {
    const failed = (e) => {
      throw storageError(e, code, `${verb} ${this.path}`);
    };
    let answer;
    try {
      answer = work();
    } catch (e) {
      failed(e);
    }
    return answer instanceof Promise ? answer.catch(failed) : answer;
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  }

  /**
   * Lets go of the locks. Pending writes are flushed only if no transaction is open (SQLite
   * unlocks before it closes, so writes pending at RESERVED or above are an abandoned
   * transaction's, and are dropped).
   */
  async close() {
    this.#vfs.log?.('close', this.path);
    let failure = null;
    if (this.#level >= RESERVED) this.#dropPending();
    else if (this.#pending()) failure = await Promise.resolve(this.#flush(SQLITE_IOERR_CLOSE)).then(() => null, (e) => e);
    try {
      await this.#locks.releaseAll();
    } catch (e) {
      failure ??= storageError(e, SQLITE_IOERR_CLOSE, `cannot unlock ${this.path}`);
    }
    this.#locks.dispose();
    this.#level = NONE;
    super.close();
    this.#vfs.closed(this);
    if (failure) throw failure;
  }

  /** The file was deleted: pending writes go, and none will be flushed. */
  detach() {
    this.#detached = true;
    this.#dropPending();
  }

  #adopt(record) {
    this.#id = record?.id ?? null;
    this.#version = record?.version ?? 0;
    this.#committedSize = this.#size = record?.size ?? 0;
    this.#zeroFrom = Math.ceil(this.#committedSize / BLOCK_SIZE);
    this.#cache.clear();
    this.#dirty.clear();
  }

  #pending() {
    return this.#dirty.size > 0 || this.#size !== this.#committedSize
      || this.#zeroFrom < Math.ceil(this.#committedSize / BLOCK_SIZE);
  }

  #dropPending() {
    this.#dirty.clear();
    this.#size = this.#committedSize;
    this.#zeroFrom = Math.ceil(this.#committedSize / BLOCK_SIZE);
  }

  // With no lock, the record may have changed since it was read: a main database file without
  // pending writes of its own reads it again. (The WAL is only used under the database's lock.)
  #mustRevalidate() {
    return this.#level === NONE && !this.#unlocked && !this.#detached && !this.#pending();
  }

  // Reads the record again; with `companions` (taking SHARED), also whether the journal and
  // WAL SQLite will ask about are in IndexedDB, in the same transaction.
  async #revalidate(companions = false) {
    if (this.#detached) return;
    const db = await this.#vfs.database(this.path, SQLITE_IOERR_READ);
    const names = companions ? [`${this.path}-journal`, `${this.path}-wal`] : [];
    const { record, exists } = await transact(db, ['files'], 'readonly', (tx) => {
      const files = tx.objectStore('files');
      let found;
      const present = [];
      files.get(this.path).onsuccess = ({ target }) => {
        found = target.result;
      };
      names.forEach((name, i) => {
        files.getKey(name).onsuccess = ({ target }) => {
          present[i] = target.result !== undefined;
        };
      });
      return () => ({ record: found, exists: present });
    });
    this.#refresh(record);
    names.forEach((name, i) => this.#vfs.saw(name, exists[i], this));
  }

  // Keeps the cache if the record is the one it belongs to.
  #refresh(record) {
    if (record?.id === this.#id && (record?.version ?? 0) === this.#version) return;
    this.#adopt(record);
  }

  // A read with no lock: the record and the blocks in one transaction, nothing cached.
  async #readSnapshot(offset, length) {
    const first = Math.floor(offset / BLOCK_SIZE);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / BLOCK_SIZE);
    const indices = [];
    for (let i = first; i <= last; i++) indices.push(i);
    const { record, blocks } = await this.#fetch(indices, true);
    this.#refresh(record);
    const end = Math.min(offset + length, this.#size);
    const out = new Uint8Array(Math.max(0, end - offset));
    for (let i = first; out.length && i <= Math.floor((end - 1) / BLOCK_SIZE); i++) copyBlock(out, offset, blocks.get(i), i);
    return out;
  }

  /**
   * The blocks `first`..`last` (or just `only`, a list of indices among them) as the file
   * holds them now, in a Map: pending, cached, zeros (ZEROS, never to be written into), or, if
   * any is none of those, a promise of the Map with those fetched from IndexedDB in one
   * transaction.
   */
  #blocks(first, last, only) {
    const blocks = new Map();
    const missing = [];
    const storedEnd = Math.min(this.#zeroFrom, Math.ceil(this.#committedSize / BLOCK_SIZE));
    for (let i = first; i <= last; i++) {
      if (only && !only.includes(i)) continue;
      const block = this.#dirty.get(i) ?? (i < storedEnd ? this.#cached(i) : ZEROS);
      if (block) blocks.set(i, block);
      else missing.push(i);
    }
    return missing.length ? this.#fetchMissing(blocks, missing, storedEnd) : blocks;
  }

  async #fetchMissing(blocks, missing, storedEnd) {
    const caching = this.#level >= SHARED || this.#unlocked;
    const last = missing[missing.length - 1];
    this.#readAhead = caching && missing[0] === this.#nextMiss ? Math.min(MAX_READ_AHEAD, Math.max(4, this.#readAhead * 2)) : 0;
    const ahead = [];
    for (let i = last + 1; ahead.length < this.#readAhead && i < storedEnd; i++) {
      if (!this.#dirty.has(i) && !this.#cache.has(i)) ahead.push(i);
    }
    this.#nextMiss = (ahead.length ? ahead[ahead.length - 1] : last) + 1;
    const { blocks: fetched } = await this.#fetch(ahead.length ? missing.concat(ahead) : missing, false);
    for (const i of missing) {
      const block = fetched.get(i) ?? ZEROS;
      blocks.set(i, block);
      if (caching) this.#remember(i, block);
    }
    for (const i of ahead) this.#remember(i, fetched.get(i) ?? ZEROS);
    return blocks;
  }

  #cached(i) {
    const block = this.#cache.get(i);
    if (block) {
      this.#cache.delete(i);
      this.#cache.set(i, block);
    }
    return block;
  }

  #remember(i, block) {
    this.#cache.set(i, block);
    if (this.#cache.size > CACHE_BLOCKS) this.#cache.delete(this.#cache.keys().next().value);
  }

  async #fetch(indices, withRecord) {
    this.#vfs.log?.('fetch', this.path, indices);
    const db = await this.#vfs.database(this.path, SQLITE_IOERR_READ);
    return transact(db, withRecord ? ['files', 'blocks'] : ['blocks'], 'readonly', (tx) => {
      const blocks = new Map();
      let record;
      const store = tx.objectStore('blocks');
      for (const i of indices) {
        store.get([this.path, i]).onsuccess = ({ target }) => {
          if (target.result) blocks.set(i, target.result);
        };
      }
      if (withRecord) {
        tx.objectStore('files').get(this.path).onsuccess = ({ target }) => {
          record = target.result;
        };
      }
      return () => ({ blocks, record });
    });
  }

  // A block equal to what IndexedDB holds (known when cached) is not pending: a rollback that
  // writes back the pages a failed commit could not store then needs no room to do so.
  #setBlock(i, block) {
    const stored = i < this.#zeroFrom ? this.#cache.get(i) : undefined;
    if (stored && equalBytes(stored, block)) this.#dirty.delete(i);
    else this.#dirty.set(i, block);
  }

  /**
   * Writes what is pending in one readwrite transaction, after checking that the record is
   * still the one this file last saw (else another connection wrote without the lock:
   * SQLITE_IOERR_WRITE, and nothing is written). On any failure the pending writes are
   * dropped, so the file reads again as IndexedDB holds it, and the error is thrown: `code`,
   * or SQLITE_FULL for a quota exceeded.
   */
  #flush(code) {
    if (!this.#pending() || this.#detached) return undefined;
    return this.#flushPending(code);
  }

  async #flushPending(code) {
    const path = this.path;
    const dirty = this.#dirty;
    const size = this.#size;
    const zeroFrom = this.#zeroFrom;
    const truncated = zeroFrom < Math.ceil(this.#committedSize / BLOCK_SIZE);
    const expected = { id: this.#id, version: this.#version };
    const next = { path, id: this.#id ?? newId(), version: this.#version + 1, size };
    this.#vfs.log?.('flush', path, [...dirty.keys()]);
    try {
      const db = await this.#vfs.database(path, code);
      await transact(db, ['files', 'blocks'], 'readwrite', (tx) => {
        const files = tx.objectStore('files');
        const blocks = tx.objectStore('blocks');
        files.get(path).onsuccess = ({ target }) => {
          const record = target.result;
          if ((record?.id ?? null) !== expected.id || (record?.version ?? 0) !== expected.version) {
            tx.abort();
            tx.conflict = true;
          }
        };
        // What a truncate dropped goes before what is put again.
        if (truncated) blocks.delete(blockRange(path, zeroFrom));
        for (const [i, block] of dirty) blocks.put(block, [path, i]);
        files.put(next);
        return () => undefined;
      }, { durability: 'strict' });
    } catch (e) {
      this.#dropPending();
      if (e?.conflict) {
        throw new VfsError(code, `${path} was changed in IndexedDB by another connection without the lock; nothing was written`);
      }
      throw storageError(e, code, `cannot write ${path} to IndexedDB`);
    }
    this.#id = next.id;
    this.#version = next.version;
    this.#committedSize = size;
    this.#zeroFrom = Math.ceil(size / BLOCK_SIZE);
    for (const i of this.#cache.keys()) if (i >= zeroFrom) this.#cache.delete(i);
    for (const [i, block] of dirty) this.#remember(i, block);
    this.#dirty = new Map();
  }
}

// A block of zeros, for reads of a hole or past the stored end; never stored or written into.
const ZEROS = new Uint8Array(BLOCK_SIZE);

// Copies the part of block `i` (undefined: zeros) that falls in `out`, which starts at `offset`.
function copyBlock(out, offset, block, i) {
  const start = i * BLOCK_SIZE;
  const from = Math.max(offset, start);
  const to = Math.min(offset + out.length, start + BLOCK_SIZE);
  if (from >= to) return;
  if (block) out.set(block.subarray(from - start, to - start), from - offset);
  else out.fill(0, from - offset, to - offset);
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The Web Locks of one open file (see the top of this file): each a hold, or null.
 *
 * The shared hold outlives a read transaction (it lingers): SQLite takes SHARED and lets it go
 * around every statement outside a transaction, and taking it costs a Web Lock request and a
 * read of the file's record in IndexedDB, a millisecond or more where a point query costs
 * microseconds. While it lingers no one can write the file (writing needs `L` exclusive), so
 * the next transaction starts at once and keeps its cache. A writer that finds `L` held asks
 * on a BroadcastChannel named `L` for lingering holds to go (any tab or Worker of the origin):
 * one lingering lets go at once, one in a transaction at its end. The writer meanwhile answers
 * SQLITE_BUSY, and SQLite's busy handler asks again, as for a reader in a transaction.
 */
class WebLocks {
  shared = null; // `L`, shared
  exclusive = null; // `L`, exclusive
  reserved = null; // `L:reserved`
  #queued = null; // PENDING: `L` exclusive, waiting in the queue
  #lingering = false; // `shared` kept while SQLite holds no lock
  #wanted = false; // a writer asked for `shared` while a transaction held it
  #channel = null; // where writers ask for lingering holds; without one nothing lingers

  constructor(name) {
    this.name = name;
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(name);
      this.#channel.onmessage = () => {
        if (this.#lingering) this.#letGoLingering();
        else if (this.shared) this.#wanted = true;
      };
    }
  }

  /** At the end of a read transaction: keeps the shared hold if it may linger. */
  linger() {
    if (!this.#channel || !this.shared || this.exclusive || this.reserved || this.#queued || this.#wanted) return false;
    this.#lingering = true;
    return true;
  }

  /** At the start of one: whether the lingering hold is there to take up again. */
  resume() {
    if (!this.#lingering) return false;
    this.#lingering = false;
    return true;
  }

  /** The file is closed: nothing lingers, and no one asks this one any more. */
  dispose() {
    this.#channel?.close();
    this.#channel = null;
  }

  #letGoLingering() {
    this.#lingering = false;
    this.release('shared').catch(() => {}); // a hold that will not go has no one to tell
  }

  async takeShared() {
    this.shared = await hold(this.name, 'shared', true);
    return this.shared !== null;
  }

  async takeReserved() {
    this.reserved = await hold(`${this.name}:reserved`, 'exclusive', true);
    return this.reserved !== null;
  }

  async release(which) {
    const held = this[which];
    this[which] = null;
    if (which === 'shared') this.#wanted = false;
    await held?.release();
  }

  /**
   * Toward EXCLUSIVE, RESERVED held: the exclusive hold, at once if no reader is left; else
   * the request waits in the queue (PENDING), and a later call finds it granted or not yet.
   */
  async upgrade() {
    if (!this.#queued) {
      await this.release('shared');
      this.exclusive = await hold(this.name, 'exclusive', true);
      if (this.exclusive) return true;
      this.#queued = queue(this.name, 'exclusive');
      this.#channel?.postMessage('let go'); // holds lingering elsewhere
    }
    // The grant comes as a callback: one turn of the event loop lets one already made arrive.
    const granted = await Promise.race([this.#queued.granted, new Promise((resolve) => setTimeout(resolve, 0))]);
    if (!granted) return false;
    this.exclusive = granted;
    this.#queued = null;
    return true;
  }

  /**
   * Back to SHARED: the waiting request taken back, the exclusive hold swapped for a shared
   * one (which waits for nobody: only a holder of `reserved` asks for `L` exclusive), then
   * `reserved` let go.
   */
  async downgrade() {
    await this.#dequeue();
    if (this.exclusive) await this.release('exclusive');
    this.shared ??= await hold(this.name, 'shared', false);
    await this.release('reserved');
  }

  async releaseAll() {
    this.#lingering = false;
    await this.#dequeue();
    await Promise.all(['exclusive', 'shared', 'reserved'].map((which) => this.release(which)));
  }

  /** Whether any connection (this origin, any tab) holds `reserved`. */
  async reservedElsewhere() {
    const { held } = await navigator.locks.query();
    const name = `${this.name}:reserved`;
    return held.some((lock) => lock.name === name);
  }

  async #dequeue() {
    const queued = this.#queued;
    if (!queued) return;
    this.#queued = null;
    queued.abort();
    await (await queued.granted)?.release(); // granted just before it was taken back
  }
}

/**
 * Asks for Web Lock `name` and waits in the queue: `granted` resolves to a hold (see hold()),
 * or to null once `abort()` took the request back.
 */
function queue(name, mode) {
  const controller = new AbortController();
  const granted = new Promise((resolve) => {
    let letGo;
    const kept = new Promise((end) => {
      letGo = end;
    });
    const done = navigator.locks.request(name, { mode, signal: controller.signal }, () => {
      resolve({
        release: () => {
          letGo();
          return done.catch(() => {});
        },
      });
      return kept;
    });
    done.catch(() => resolve(null)); // AbortError: taken back while waiting
  });
  return { granted, abort: () => controller.abort() };
}

/**
 * Requests Web Lock `name`; resolves to a hold with `release()` (resolving once it is let go),
 * or to null when `ifAvailable` and another holds it. The hold lasts while the request's
 * callback has not returned, so the callback returns a promise that release() settles.
 */
function hold(name, mode, ifAvailable) {
  return new Promise((resolve, reject) => {
    let letGo;
    const kept = new Promise((end) => {
      letGo = end;
    });
    let done;
    done = navigator.locks.request(name, { mode, ifAvailable }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      resolve({
        release: () => {
          letGo();
          return done.catch(() => {});
        },
      });
      return kept;
    });
    done.catch(reject); // before the callback: a bad name, an inactive document
  });
}

/**
 * Runs `body(tx)` in a new transaction of `db` over `stores`, which issues its requests and
 * returns a function that gives the result once the transaction completes. Rejects with the
 * transaction's error when it aborts (an error of `body` aborts it), with `conflict` set when
 * `body` marked the transaction so.
 */
function transact(db, stores, mode, body, options) {
  return new Promise((resolve, reject) => {
    let tx;
    let result;
    try {
      tx = db.transaction(stores, mode, options);
      result = body(tx);
    } catch (e) {
      try {
        tx?.abort();
      } catch {
        // already finished
      }
      reject(e);
      return;
    }
    tx.oncomplete = () => resolve(result());
    tx.onabort = () => {
      const error = tx.error ?? new Error('the IndexedDB transaction was aborted');
      reject(tx.conflict ? Object.assign(new Error('conflict'), { conflict: true }) : error);
    };
  });
}

// Opens the IndexedDB database that holds the files, making its stores on first use.
// `onClosed` is told when the browser or another context's upgrade or deletion closes it.
function openDatabase(name, onClosed) {
  return new Promise((resolve, reject) => {
    let request;
    try {
      request = globalThis.indexedDB.open(name, SCHEMA_VERSION); // the getter itself throws where storage is denied
    } catch (e) {
      reject(e);
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('files')) db.createObjectStore('files', { keyPath: 'path' });
      if (!db.objectStoreNames.contains('blocks')) db.createObjectStore('blocks');
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => onClosed(db);
      db.onclose = () => onClosed(null);
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    // onblocked: an older version is open elsewhere; it closes on versionchange, then this succeeds.
  });
}

// Every block of `path` from `first` on.
function blockRange(path, first) {
  return IDBKeyRange.bound([path, first], [path, Infinity]);
}

function newId() {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high & 0x1fffff) * 2 ** 32 + low;
}

/** A VfsError with `code`, or SQLITE_FULL for a quota exceeded; a VfsError passes as it is. */
export function storageError(e, code, what) {
  if (e instanceof VfsError) return e;
  if (e?.name === 'QuotaExceededError') return new VfsError(SQLITE_FULL, `${what}: storage quota exceeded`, { cause: e });
  return new VfsError(code, `${what}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`, { cause: e });
}

/** A journal or temporary file, in this VFS's memory only (see the top of this file). */
class VolatileFile extends VfsFile {
  #entry;
  #readonly;
  #onClose;

  constructor(path, entry, readonly, onClose) {
    super(null); // never locked by SQLite
    this.path = path;
    this.#entry = entry;
    this.#readonly = readonly;
    this.#onClose = onClose;
  }

  read(offset, length) {
    const { data, size } = this.#entry;
    return data.slice(Math.min(offset, size), Math.min(offset + length, size));
  }

  write(offset, data) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_WRITE, `${this.path} is open read-only`);
    const entry = this.#entry;
    const end = offset + data.length;
    if (end > entry.data.length) {
      let grown;
      try {
        grown = new Uint8Array(Math.max(end, 2 * entry.data.length));
      } catch (e) {
        throw new VfsError(SQLITE_FULL, `${this.path}: cannot grow to ${end} bytes in memory`, { cause: e });
      }
      grown.set(entry.data.subarray(0, entry.size));
      entry.data = grown;
    }
    entry.data.set(data, offset);
    entry.size = Math.max(entry.size, end);
  }

  truncate(size) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_TRUNCATE, `${this.path} is open read-only`);
    const entry = this.#entry;
    if (size < entry.size) entry.data.fill(0, size, entry.size);
    else if (size > entry.data.length) {
      const grown = new Uint8Array(size);
      grown.set(entry.data.subarray(0, entry.size));
      entry.data = grown;
    }
    entry.size = size;
  }

  sync(flags) {
    // In memory by design: see the top of this file.
  }

  size() {
    return this.#entry.size;
  }

  lock(level) {
    return super.lock(level);
  }

  unlock(level) {
    super.unlock(level);
  }

  checkReservedLock() {
    return super.checkReservedLock();
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  }

  close() {
    super.close();
    this.#onClose?.();
  }
}
