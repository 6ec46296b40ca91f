// wa-sqlite 1.0.0: its synchronous build (dist/wa-sqlite.mjs) with its example
// AccessHandlePoolVFS, the synchronous OPFS VFS that 1.0.0 ships (OPFSCoopSyncVFS came later):
// a pool of OPFS files with sync access handles opened up front, each file's header naming the
// SQLite file it holds. Its API is asynchronous even in this build (every step is awaited);
// that cost is part of using it.
import SQLiteESMFactory from '../../node_modules/wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from '../../node_modules/wa-sqlite/src/sqlite-api.js';
import { AccessHandlePoolVFS } from '../../node_modules/wa-sqlite/src/examples/AccessHandlePoolVFS.js';
import { wrap } from './wa-sqlite-wrap.js';

export const file = '/bench.db';
const directory = 'bench-wa-sqlite';

export async function load() {
  const sqlite3 = SQLite.Factory(await SQLiteESMFactory());
  const vfs = new AccessHandlePoolVFS(directory);
  await vfs.isReady;
  sqlite3.vfs_register(vfs, true);
  return {
    vfs: `AccessHandlePoolVFS (OPFS directory /${directory}, pool capacity ${vfs.getCapacity()})`,
    open: async (name) => wrap(sqlite3, await sqlite3.open_v2(name)),
    remove: (name) => { vfs.xDelete(name, 0); vfs.xDelete(`${name}-journal`, 0); },
    async dispose() {
      await vfs.close();
      const root = await navigator.storage.getDirectory();
      await root.removeEntry(directory, { recursive: true });
    },
  };
}
