// wa-sqlite 1.0.0's Asyncify build (dist/wa-sqlite-async.mjs) with its example
// IDBBatchAtomicVFS: blocks in IndexedDB, SQLite's batch atomic writes so a transaction needs
// no journal, Web Locks between contexts.
import SQLiteAsyncESMFactory from '../../node_modules/wa-sqlite/dist/wa-sqlite-async.mjs';
import * as SQLite from '../../node_modules/wa-sqlite/src/sqlite-api.js';
import { IDBBatchAtomicVFS } from '../../node_modules/wa-sqlite/src/examples/IDBBatchAtomicVFS.js';
import { wrap } from './wa-sqlite-wrap.js';

export const file = '/bench-idb.db';
const idbName = 'bench-wa-sqlite-idb';

export async function load() {
  const sqlite3 = SQLite.Factory(await SQLiteAsyncESMFactory());
  const vfs = new IDBBatchAtomicVFS(idbName);
  sqlite3.vfs_register(vfs, true);
  return {
    vfs: `IDBBatchAtomicVFS (IndexedDB database ${idbName})`,
    open: async (name) => wrap(sqlite3, await sqlite3.open_v2(name)),
    // Not through vfs.xDelete: outside a call into the module, its Asyncify handling breaks
    // the next open. The VFS keeps a file's blocks under [path, …] in its `blocks` store.
    remove: (name) => deleteBlocks([name, `${name}-journal`]),
    async dispose() {
      await vfs.close();
      await new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase(idbName);
        request.onsuccess = resolve;
        request.onerror = () => reject(request.error);
      });
    },
  };
}

async function deleteBlocks(names) {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(idbName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    if (!db.objectStoreNames.contains('blocks')) return;
    await new Promise((resolve, reject) => {
      const tx = db.transaction('blocks', 'readwrite');
      for (const name of names) {
        const path = new URL(name, 'file://localhost/').pathname;
        tx.objectStore('blocks').delete(IDBKeyRange.bound([path], [path, []]));
      }
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
