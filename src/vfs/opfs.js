// The opfs VFS: databases in the browser's Origin Private File System, for dedicated Workers.
//
// SQLite calls a VFS synchronously. FileSystemSyncAccessHandle reads, writes, truncates and
// flushes synchronously, but obtaining one is async. So `acquire` (awaited by Database.open)
// obtains the handles of every file SQLite may open for a database, whose names are known:
// the database, its `-journal` and its `-wal`. After that every call is synchronous. Other
// files are temporary and live in memory.
//
// Each file is a plain SQLite file under its own name in OPFS, so it can be exported byte for
// byte. A journal or WAL "deleted" by SQLite is truncated to zero bytes instead (its handle
// stays open), and a zero-byte journal or WAL counts as absent, as it does to SQLite. The
// empty files stay beside the database: removing them on close would cost the next open a
// round trip to create them again, and would race with another Worker's open.
//
// A sync access handle is exclusive across the origin, so Workers and tabs that keep one
// database open take turns with its handles, a transaction at a time (OpfsGroup): the Worker
// whose turn it is holds the handles and a Web Lock named after the database; one that needs
// the database asks for the lock and says so on a BroadcastChannel, and the holder lets go as
// soon as none of its connections holds a SQLite lock (between tasks, never inside a call).
// Taking the turn back is async, and SQLite's xLock is not: a connection whose Worker lacks the
// turn gets SQLITE_BUSY at once while the turn is fetched, and the caller retries after
// yielding (the Worker API waits for the turn before each call, up to the `timeout`). A
// Worker keeps its turn while nobody else asks, so one tab alone pays nothing per transaction.
// Closing lets go of the handles at once, so the file can be removed or opened elsewhere
// right after. Connections within a Worker share the handles and lock each other in memory
// (locks.js), and can use WAL with an in-memory wal-index (shared-memory.js), as the memory
// VFS does; a Worker using WAL keeps its turn (the index lives in its memory), and another
// context gets SQLITE_BUSY saying so.

import { Vfs, VfsFile, VfsError, countAsyncWait } from './base.js';
import { FileLock } from './locks.js';
import { MemoryVfs } from './memory.js';
import { SharedMemory, sharedMemoryInUse } from './shared-memory.js';
import {
  SQLITE_BUSY,
  SQLITE_CANTOPEN,
  SQLITE_FULL,
  SQLITE_IOCAP_POWERSAFE_OVERWRITE,
  SQLITE_IOERR_DELETE,
  SQLITE_IOERR_DELETE_NOENT,
  SQLITE_IOERR_FSYNC,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_TRUNCATE,
  SQLITE_IOERR_WRITE,
  SQLITE_LOCK_NONE,
  SQLITE_LOCK_SHARED,
  SQLITE_OPEN_CREATE,
  SQLITE_OPEN_DELETEONCLOSE,
  SQLITE_OPEN_EXCLUSIVE,
  SQLITE_OPEN_MAIN_DB,
  SQLITE_OPEN_READONLY,
  SQLITE_SHM_UNLOCK,
} from './constants.js';

// The files SQLite opens beside a database, besides temporary ones.
const companions = ['', '-journal', '-wal'];
const retryMs = 50;
// Turns: the Web Lock a database's holder keeps, and the channel on which contexts ask for it.
// Messages carry the protocol version; a context of another version is not understood, and
// waits out its timeout with a clear error rather than hang.
const PROTOCOL = 1;
const lockName = (path) => `sqlite-component/opfs:${path}`;
const channelName = 'sqlite-component/opfs';
const askAgainMs = 250; // a holder that took the lock just before we asked did not hear us
// A turn just taken is kept until a SQLite lock has come and gone in it, or this long: else two
// contexts that both want the database could hand it back and forth without using it.
const graceMs = 100;

/** Whether this context can use the opfs VFS: a dedicated Worker of a secure page. */
export function opfsAvailable() {
  return typeof globalThis.FileSystemSyncAccessHandle === 'function'
    && typeof globalThis.navigator?.storage?.getDirectory === 'function';
}

export class OpfsVfs extends Vfs {
  name = 'opfs';
  #groups = new Map(); // database path → { users, files: Map<path, OpfsStore> }
  #root = null; // Promise of the OPFS root directory
  #fileHandles = new Map(); // path → FileSystemFileHandle, so a reopen makes one round trip
  #stores = new Map(); // path of any held file → OpfsStore
  #temp = new MemoryVfs();

  /**
   * `/a/b.db` for `a/b.db`, `/a/./b.db` or `/x/../a/b.db`: the name the handles are held under
   * and SQLite appends `-journal` to. A path that leaves the root is refused.
   */
  fullPathname(path) {
    const parts = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (!parts.length) throw new VfsError(SQLITE_CANTOPEN, `${path} leaves the OPFS root`);
        parts.pop();
      } else parts.push(part);
    }
    if (!parts.length) throw new VfsError(SQLITE_CANTOPEN, `${JSON.stringify(path)} names no file`);
    return `/${parts.join('/')}`;
  }

  /**
   * Obtains the turn with database `filename` (its access handles), waiting up to
   * `options.timeout` ms (default 5000) while another Worker or tab has it.
   */
  async acquire(filename, options) {
    if (!opfsAvailable()) {
      throw new VfsError(SQLITE_CANTOPEN, 'The opfs VFS needs a dedicated Worker (FileSystemSyncAccessHandle): '
        + 'in a page, use openDatabase() from the Worker API');
    }
    const path = this.fullPathname(filename);
    const { readonly = false, fileMustExist = false, timeout = 5000 } = options;
    let group = this.#groups.get(path);
    if (!group) {
      group = new OpfsGroup(this, path, { readonly, fileMustExist, timeout });
      this.#groups.set(path, group);
    }
    group.users++;
    try {
      await group.turn(Date.now() + timeout);
    } catch (e) {
      this.#leave(group);
      throw e;
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#leave(group);
      },
    };
  }

  unopenableReason(filename) {
    let path;
    try {
      path = this.fullPathname(filename);
    } catch (e) {
      return e.message;
    }
    return this.#stores.has(path) ? null : notOpenHere(path);
  }

  /** Waits (up to `timeout` ms) until this Worker has the turn with database `filename`. */
  turn(filename, timeout = 5000) {
    const group = this.#groups.get(this.fullPathname(filename));
    return group ? group.turn(Date.now() + timeout) : Promise.resolve();
  }

  // Another context asks for a database this Worker may hold.
  #heard({ data }) {
    if (data?.v !== PROTOCOL) return;
    if (data.want) this.#groups.get(data.want)?.wanted();
    else if (data.wal) this.#groups.get(data.wal)?.heldForWal();
  }

  #channel = null;
  /** Tells the other contexts of the origin (created on first use). */
  tell(message) {
    this.#listen();
    this.#channel?.postMessage({ v: PROTOCOL, ...message });
  }

  #listen() {
    if (this.#channel || typeof BroadcastChannel !== 'function') return;
    this.#channel = new BroadcastChannel(channelName);
    this.#channel.onmessage = (event) => this.#heard(event);
  }

  /**
   * The access handles of the database at `path` and its journals, obtained side by side (each
   * is a round trip to the browser), all or none: holding some while waiting for the rest
   * could deadlock two contexts. A context that holds them without the Web Lock (another
   * version of this package) is waited for, up to `deadline`.
   */
  async openStores(path, { readonly, fileMustExist }, deadline) {
    for (;;) {
      const settled = await Promise.allSettled(companions.map(async (suffix) => {
        const create = !readonly && (suffix !== '' || !fileMustExist);
        const access = await this.#syncHandle(path + suffix, { create, optional: suffix !== '' });
        return access && { path: path + suffix, access };
      }));
      const opened = settled.filter((r) => r.status === 'fulfilled' && r.value).map((r) => r.value);
      const failed = settled.find((r) => r.status === 'rejected');
      if (!failed) return opened;
      for (const { access } of opened) access.close();
      if (failed.reason?.name !== 'NoModificationAllowedError') throw failed.reason;
      if (Date.now() >= deadline) {
        throw new VfsError(SQLITE_BUSY, `database is locked: ${path} is open in another Worker or tab`, { cause: failed.reason });
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  /** Registers the stores of a group's files (each file is one OpfsStore for the group's life). */
  holdStores(group, opened) {
    for (const { path, access } of opened) {
      let store = this.#stores.get(path);
      if (!store) {
        store = new OpfsStore(path, group, path === group.path, path.endsWith('-wal'));
        this.#stores.set(path, store);
        group.files.set(path, store);
      }
      store.hold(access);
    }
  }

  // The sync access handle of file `path`; null for an `optional` one (a journal) that does
  // not exist and may not be created. Throws NoModificationAllowedError while another context
  // holds the file.
  async #syncHandle(path, { create, optional }) {
    for (let attempt = 0; ; attempt++) {
      let fileHandle = this.#fileHandles.get(path);
      if (!fileHandle) {
        try {
          const { dir, leaf } = await this.#parent(path, create);
          fileHandle = await dir.getFileHandle(leaf, { create });
        } catch (e) {
          if (e?.name === 'NotFoundError' && optional) return null;
          throw openError(e, path);
        }
        this.#fileHandles.set(path, fileHandle);
      }
      try {
        return await fileHandle.createSyncAccessHandle();
      } catch (e) {
        // Removed since it was looked up (by the page, or another Worker): look it up again.
        if (e?.name === 'NotFoundError' && attempt < 3) {
          this.#fileHandles.delete(path);
          continue;
        }
        if (e?.name === 'NoModificationAllowedError') throw e;
        throw openError(e, path);
      }
    }
  }

  // The directory holding `path`, and the file's name in it.
  async #parent(path, create) {
    const names = path.slice(1).split('/');
    const leaf = names.pop();
    let dir = await (this.#root ??= navigator.storage.getDirectory());
    try {
      for (const name of names) dir = await dir.getDirectoryHandle(name, { create });
    } catch (e) {
      throw openError(e, path);
    }
    return { dir, leaf };
  }

  // The last user gone, what is pending is written and the handles are closed, so that other
  // contexts can have the database.
  #leave(group) {
    if (--group.users > 0) return;
    group.end();
    for (const name of group.files.keys()) this.#stores.delete(name);
    this.#groups.delete(group.path);
  }

  open(path, flags) {
    this.log?.('open', path, flags);
    const store = path === null ? undefined : this.#stores.get(path);
    if (!store) {
      // Temp files (null path, or SQLite's delete-on-close files) are memory's business.
      if (path === null || flags & SQLITE_OPEN_DELETEONCLOSE) return this.#temp.open(null, flags);
      throw new VfsError(SQLITE_CANTOPEN, notOpenHere(path));
    }
    if (store.exists && flags & SQLITE_OPEN_EXCLUSIVE && flags & SQLITE_OPEN_CREATE) {
      throw new VfsError(SQLITE_CANTOPEN, `${path} already exists`);
    }
    if (!store.exists && !(flags & SQLITE_OPEN_CREATE)) throw new VfsError(SQLITE_CANTOPEN, `${path} does not exist`);
    store.exists = true;
    const group = this.#groups.get(store.database ? path : undefined);
    if (group) group.users++; // an open database keeps its handles, lease or not
    const file = new OpfsFile(store, Boolean(flags & SQLITE_OPEN_READONLY), store.database && flags & SQLITE_OPEN_MAIN_DB,
      () => group && this.#leave(group));
    return { file, flags };
  }

  delete(path, syncDir) {
    this.log?.('delete', path);
    const store = this.#stores.get(path);
    if (!store) {
      if (this.#temp.access(path)) return this.#temp.delete(path, syncDir);
      throw new VfsError(SQLITE_IOERR_DELETE_NOENT, `${path} does not exist`);
    }
    if (!store.exists) throw new VfsError(SQLITE_IOERR_DELETE_NOENT, `${path} does not exist`);
    try {
      store.truncate(0); // after the database's own pending writes: this is the commit point
      // Made durable only when SQLite asks (synchronous=EXTRA), as native SQLite syncs the
      // directory after an unlink only then.
      if (syncDir) store.access.flush();
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_DELETE, path);
    }
    store.size = 0;
    store.exists = false;
  }

  access(path, flags) {
    const store = this.#stores.get(path);
    return store ? store.exists : this.#temp.access(path, flags);
  }
}

// Each call on a sync access handle costs about 60 µs in Chromium, whether it writes 4 KiB or
// 64 KiB; SQLite writes a page (and a journal record in three pieces) per call. So writes to
// a database and its journal are gathered into runs: consecutive writes to adjacent bytes of
// one file make one run. Runs are written in the order they were made (so the file always
// holds what a crash at some moment would leave, which SQLite recovers from) when SQLite syncs,
// truncates, deletes, closes, or ends a write transaction (unlock), so a commit is in the
// file before it returns, or when 2 MiB are pending. Reads are served from the runs.
// If a run cannot be written (quota), it and every later run are dropped, and SQLite gets the
// error and rolls back with its journal, as after a crash at that moment. WAL frames are
// written at once: SQLite would not hear of a failure after its commit wrote them.
const maxPending = 2 * 1024 * 1024;

// A short write is the quota running out, as a thrown QuotaExceededError is.
function writeAll(access, data, at) {
  const written = access.write(data, { at });
  if (written !== data.length) {
    throw Object.assign(new Error(`wrote ${written} of ${data.length} bytes`), { name: 'QuotaExceededError' });
  }
}

/**
 * One database in this Worker: its files, their unwritten runs, and this Worker's turn with
 * them across the origin — held (the handles open and the Web Lock kept) or not.
 */
class OpfsGroup {
  users = 0;
  runs = []; // { store, start, bytes, length }, in the order they were made
  pendingBytes = 0;
  files = new Map(); // path → OpfsStore
  #vfs;
  #options;
  #held = false;
  #letGo = null; // ends the Web Lock's hold
  #fetching = null; // the turn being fetched
  #inTurn = false; // a connection here holds a SQLite lock: the turn stays
  #wanted = false; // another context asked for the turn
  #unused = false; // the turn was just taken and no SQLite lock has been held in it yet
  #graceTimer = 0;
  #walElsewhere = false; // the holder answered that it keeps its turn for WAL
  #ended = false;

  constructor(vfs, path, options) {
    this.#vfs = vfs;
    this.path = path; // the database's
    this.#options = options;
  }

  /** The lock under connections' FileLock: SHARED is granted only with the turn (see locks.js). */
  systemLock = {
    lock: (level) => level !== SQLITE_LOCK_SHARED || this.#takeTurnNow(),
    unlock: (level) => {
      if (level === SQLITE_LOCK_NONE) this.#turnEnded();
    },
    checkReserved: () => false, // with the turn, nobody elsewhere writes; without, nobody here reads
  };

  /** Resolves once this Worker has the turn; SQLITE_BUSY after `deadline`. */
  turn(deadline) {
    if (this.#held) return Promise.resolve();
    this.#fetching ??= this.#fetch(deadline).finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  // Asks the holder to let go (now, and again while waiting: a holder that took the lock just
  // before the first ask did not hear it), takes the Web Lock, then the handles.
  async #fetch(deadline) {
    countAsyncWait(1);
    const ask = () => this.#vfs.tell({ want: this.path });
    ask();
    const asking = setInterval(ask, askAgainMs);
    try {
      await new Promise((resolve, reject) => {
        const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
        navigator.locks.request(lockName(this.path), { signal }, async () => {
          let opened = [];
          try {
            if (!this.#ended) opened = await this.#vfs.openStores(this.path, this.#options, deadline);
          } catch (e) {
            reject(e);
            return undefined; // the lock goes with the failure
          }
          if (this.#ended) {
            for (const { access } of opened) access.close();
            resolve();
            return undefined;
          }
          this.#vfs.holdStores(this, opened);
          this.#held = true;
          this.#wanted = false;
          this.#unused = true;
          this.#graceTimer = setTimeout(() => {
            this.#unused = false;
            this.#releaseIfIdle();
          }, graceMs);
          const kept = new Promise((end) => (this.#letGo = end));
          resolve();
          this.#askedMeanwhile();
          return kept;
        }).catch((e) => reject(e?.name === 'TimeoutError' || e?.name === 'AbortError' ? this.#busy(e) : e));
      });
    } finally {
      clearInterval(asking);
      countAsyncWait(-1);
    }
  }

  async #askedMeanwhile() {
    try {
      const { pending } = await navigator.locks.query();
      if (pending.some((lock) => lock.name === lockName(this.path))) this.wanted();
    } catch {
      // Without the query, a waiter's next ask tells us.
    }
  }

  #busy(cause) {
    const why = this.#walElsewhere
      ? 'is in WAL mode in another Worker or tab, and WAL works within one Worker (PRAGMA journal_mode=DELETE there)'
      : 'is in use in another Worker or tab';
    return new VfsError(SQLITE_BUSY, `database is locked: ${this.path} ${why}`, { cause });
  }

  // SQLite asks for SHARED: granted with the turn; without it, the turn is fetched and
  // SQLite hears BUSY (its busy handler does not wait: see countAsyncWait).
  #takeTurnNow() {
    if (this.#held) {
      this.#inTurn = true;
      this.#unused = false;
      return true;
    }
    this.turn(Date.now() + this.#options.timeout).catch(() => {});
    throw this.#busy(undefined);
  }

  // Every connection here is at NONE. If another context asked, let go once this task ends:
  // the rest of a synchronous call keeps the turn it started with.
  #turnEnded() {
    this.#inTurn = false;
    if (this.#wanted) setTimeout(() => this.#releaseIfIdle(), 0);
  }

  /** Another context asked for the turn. */
  wanted() {
    if (!this.#held) return;
    if (sharedMemoryInUse(this.files.get(this.path))) {
      this.#vfs.tell({ wal: this.path });
      return;
    }
    this.#wanted = true;
    this.#releaseIfIdle();
  }

  heldForWal() {
    this.#walElsewhere = true;
  }

  #releaseIfIdle() {
    if (!this.#held || this.#inTurn || this.#unused || !this.#wanted) return;
    try {
      this.flush(); // nothing is pending outside a transaction, but never drop a run
    } catch {
      return;
    }
    this.#letGoOfHandles();
  }

  #letGoOfHandles() {
    for (const store of this.files.values()) store.release();
    clearTimeout(this.#graceTimer);
    this.#held = false;
    this.#wanted = false;
    const letGo = this.#letGo;
    this.#letGo = null;
    letGo?.();
  }

  /** The last user closed: what is pending is written, and the handles and turn let go. */
  end() {
    this.#ended = true;
    if (!this.#held) return;
    try {
      this.flush();
    } catch {
      // SQLite heard of this failure when it closed the file; nothing is left to tell.
    }
    this.#letGoOfHandles();
  }

  /** Writes the runs in order; on a failure, drops the rest and throws. */
  flush() {
    const runs = this.runs;
    this.runs = [];
    this.pendingBytes = 0;
    for (let i = 0; i < runs.length; i++) {
      const { store, start, bytes, length } = runs[i];
      try {
        writeAll(store.access, bytes.subarray(0, length), start);
      } catch (e) {
        for (const dropped of new Set(runs.slice(i).map((run) => run.store))) dropped.size = dropped.access.getSize();
        throw e;
      }
    }
  }
}

/** One OPFS file of a database, with what SQLite believes of it; its handle while the turn lasts. */
class OpfsStore {
  access = null; // the sync access handle, while this Worker has the turn
  size = 0;
  exists;

  constructor(path, group, database, writeThrough) {
    this.path = path;
    this.group = group;
    this.database = database;
    this.writeThrough = writeThrough;
    this.exists = database;
  }

  // Only this Worker writes the file while it holds the handle, so the size is kept here:
  // every call on a handle costs, and SQLite asks for the size often. Another context may
  // have changed it while the turn was away.
  hold(access) {
    this.access = access;
    this.size = access.getSize();
    this.exists = this.database || this.size > 0;
  }

  release() {
    this.access?.close();
    this.access = null;
  }

  /** Fills `buffer` (no longer than the file from `offset`) from the file and the runs over it. */
  read(buffer, offset) {
    // Without the turn (SQLite peeks at the header when it opens), nothing: a short read.
    if (this.access === null) return 0;
    let read = buffer.length ? this.access.read(buffer, { at: offset }) : 0;
    const end = offset + buffer.length;
    for (const run of this.group.runs) {
      if (run.store !== this) continue;
      const from = Math.max(offset, run.start);
      const to = Math.min(end, run.start + run.length);
      if (from >= to) continue;
      if (read < buffer.length) buffer.fill(0, read);
      read = buffer.length;
      buffer.set(run.bytes.subarray(from - run.start, to - run.start), from - offset);
    }
    return read;
  }

  write(offset, data) {
    const group = this.group;
    const end = offset + data.length;
    if (this.writeThrough) {
      group.flush();
      writeAll(this.access, data, offset);
    } else {
      const last = group.runs[group.runs.length - 1];
      if (last?.store === this && offset >= last.start && offset <= last.start + last.length) {
        const needed = end - last.start;
        if (needed > last.bytes.length) last.bytes = grown(last.bytes, last.length, needed);
        last.bytes.set(data, offset - last.start);
        group.pendingBytes += Math.max(0, needed - last.length);
        last.length = Math.max(last.length, needed);
      } else {
        const bytes = new Uint8Array(Math.max(65536, data.length));
        bytes.set(data);
        group.runs.push({ store: this, start: offset, bytes, length: data.length });
        group.pendingBytes += data.length;
      }
    }
    this.size = Math.max(this.size, end);
    if (group.pendingBytes > maxPending) group.flush();
  }

  truncate(size) {
    // What runs hold past the new end is dropped, never written: a rollback that shrinks the
    // file back must not need the room it could not get.
    const group = this.group;
    for (const run of group.runs) {
      if (run.store !== this || run.start + run.length <= size) continue;
      const keep = Math.max(0, size - run.start);
      group.pendingBytes -= run.length - keep;
      run.length = keep;
    }
    group.runs = group.runs.filter((run) => run.length > 0);
    group.flush();
    this.access.truncate(size);
    this.size = size;
  }

  sync() {
    this.group.flush();
    this.access.flush();
  }
}

function grown(bytes, length, needed) {
  const larger = new Uint8Array(Math.max(needed, 2 * bytes.length));
  larger.set(bytes.subarray(0, length));
  return larger;
}

class OpfsFile extends VfsFile {
  #store;
  #readonly;
  #onClose;
  #scratch = new Uint8Array(8192);

  constructor(store, readonly, mainDatabase, onClose) {
    // Connections of this Worker exclude each other by the store's identity; other contexts
    // are kept out by the turn (OpfsGroup), which the first SHARED lock here needs.
    super(mainDatabase ? new FileLock(store, () => store.group.systemLock) : null, mainDatabase ? new SharedMemory(store) : null);
    this.path = store.path;
    this.#store = store;
    this.#readonly = readonly;
    this.#onClose = onClose;
  }

  read(offset, length) {
    const available = Math.max(0, Math.min(length, this.#store.size - offset));
    if (this.#scratch.length < available) this.#scratch = new Uint8Array(Math.max(available, 2 * this.#scratch.length));
    const buffer = this.#scratch.subarray(0, available);
    let read;
    try {
      read = this.#store.read(buffer, offset);
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_READ, this.path);
    }
    return buffer.subarray(0, read);
  }

  write(offset, data) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_WRITE, `${this.path} is open read-only`);
    try {
      this.#store.write(offset, data);
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_WRITE, this.path);
    }
  }

  truncate(size) {
    if (this.#readonly) throw new VfsError(SQLITE_IOERR_TRUNCATE, `${this.path} is open read-only`);
    try {
      this.#store.truncate(size);
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_TRUNCATE, this.path);
    }
  }

  sync(flags) {
    try {
      this.#store.sync();
    } catch (e) {
      throw storageError(e, SQLITE_IOERR_FSYNC, this.path);
    }
  }

  size() {
    return this.#store.size;
  }

  deviceCharacteristics() {
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  }

  // The end of a write transaction, in rollback and in WAL mode: what it wrote goes to the
  // file before the lock goes. If it cannot, the lock goes anyway and SQLite hears why (as the
  // commit's result), and a later rollback can still rewrite or truncate what is stuck.
  unlock(level) {
    const failure = this.lockLevel > SQLITE_LOCK_SHARED ? this.#tryFlush() : null;
    super.unlock(level);
    if (failure) throw failure;
  }

  shmLock(offset, count, flags) {
    const failure = flags & SQLITE_SHM_UNLOCK ? this.#tryFlush() : null;
    const granted = super.shmLock(offset, count, flags);
    if (failure) throw failure;
    return granted;
  }

  close() {
    try {
      this.#flush();
    } finally {
      super.close();
      const onClose = this.#onClose;
      this.#onClose = null;
      onClose?.();
    }
  }

  #flush() {
    const failure = this.#tryFlush();
    if (failure) throw failure;
  }

  #tryFlush() {
    try {
      this.#store.group.flush();
      return null;
    } catch (e) {
      return storageError(e, SQLITE_IOERR_WRITE, this.path);
    }
  }
}

const notOpenHere = (path) => `${path} is not open in this Worker: open an OPFS database with `
  + 'await Database.open(name, { vfs: \'opfs\' }) (attach one after opening it the same way)';

function openError(e, path) {
  if (e instanceof VfsError) return e;
  const why = e?.name === 'NotFoundError' ? 'does not exist'
    : e?.name === 'TypeMismatchError' ? 'is a directory, or a file where a directory was expected'
      : e?.message ?? String(e);
  return new VfsError(SQLITE_CANTOPEN, `unable to open database file: ${path} ${why}`, { cause: e });
}

function storageError(e, code, path) {
  if (e?.name === 'QuotaExceededError') return new VfsError(SQLITE_FULL, `${path}: storage quota exceeded`, { cause: e });
  return new VfsError(code, `${path}: ${e?.message}`, { cause: e });
}
