// The indexeddb VFS on a page, for test/84.indexeddb-vfs.test.js: its module straight from src/
// (no bundle), SQLite's numbers, and helpers that call its methods as SQLite would. Everything
// hangs on globalThis.T, which the tests' page.evaluate bodies use.
import * as idb from '../../../src/vfs/indexeddb.js';
import * as C from '../../../src/vfs/constants.js';

const LEVELS = [C.SQLITE_LOCK_SHARED, C.SQLITE_LOCK_RESERVED, C.SQLITE_LOCK_EXCLUSIVE];

globalThis.T = {
  idb,
  C,
  MAIN: C.SQLITE_OPEN_MAIN_DB | C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE,
  JOURNAL: C.SQLITE_OPEN_MAIN_JOURNAL | C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE,
  log: [], // what the VFSes made by T.vfs() logged: [method, ...args]
  files: {}, // open files kept between evaluate calls

  vfs(databaseName) {
    return new idb.IndexedDbVfs({ databaseName, log: (...entry) => T.log.push(entry) });
  },

  /** `length` bytes of a pattern that differs with `seed` and never repeats within a block. */
  bytes(seed, length) {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (i * 7 + (i >> 8) * 13 + seed * 101 + 1) & 255;
    return out;
  },

  /** Incompressible bytes (for quota). */
  random(length) {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
    return out;
  },

  equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  },

  /**
   * What `promise` rejects with ({ name, code, message }), or 'resolved'. Given a function,
   * what its call throws or its promise rejects with: a VFS method may fail either way.
   */
  async failure(promise) {
    try {
      await (typeof promise === 'function' ? promise() : promise);
      return 'resolved';
    } catch (e) {
      return { name: e?.name, code: e?.code, message: e?.message };
    }
  },

  /** Climbs to `level` as SQLite does (SHARED, RESERVED, EXCLUSIVE); false at the first refusal. */
  async lockTo(file, level) {
    for (const step of LEVELS) {
      if (step > level) break;
      if (!await file.lock(step)) return false;
    }
    return true;
  },

  async readAll(file) {
    return file.read(0, await file.size());
  },

  /**
   * A file's bytes as IndexedDB holds them: read by a fresh VFS (a new connection, no cache)
   * with no lock, so even while another connection holds EXCLUSIVE.
   */
  async committed(databaseName, path) {
    const { file } = await new idb.IndexedDbVfs({ databaseName }).open(path, T.MAIN);
    const bytes = await T.readAll(file);
    await file.close();
    return bytes;
  },

  /** Starts a Worker (idb-worker.js); resolves to a function that runs a body there. */
  worker() {
    const worker = new Worker(new URL('./idb-worker.js', import.meta.url), { type: 'module' });
    const calls = new Map();
    let next = 1;
    worker.addEventListener('message', ({ data }) => {
      const call = calls.get(data.id);
      calls.delete(data.id);
      if ('error' in data) call.reject(new Error(data.error));
      else call.resolve(data.result);
    });
    return (body) => new Promise((resolve, reject) => {
      const id = next++;
      calls.set(id, { resolve, reject });
      worker.postMessage({ id, body });
    });
  },

  /** The raw IndexedDB contents of `databaseName`: file records, and block keys by path. */
  async raw(databaseName) {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(databaseName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const tx = db.transaction(['files', 'blocks'], 'readonly');
      const get = (request) => new Promise((resolve) => {
        request.onsuccess = () => resolve(request.result);
      });
      const [files, keys] = await Promise.all([get(tx.objectStore('files').getAll()), get(tx.objectStore('blocks').getAllKeys())]);
      const blocks = {};
      for (const [path, index] of keys) (blocks[path] ??= []).push(index);
      return { files, blocks };
    } finally {
      db.close();
    }
  },
};

globalThis.idbReady = true;
