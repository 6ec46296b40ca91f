// wa-sqlite 1.0.0: its synchronous build (dist/wa-sqlite.mjs) with its example
// AccessHandlePoolVFS, the synchronous OPFS VFS that 1.0.0 ships (OPFSCoopSyncVFS came later):
// a pool of OPFS files with sync access handles opened up front, each file's header naming the
// SQLite file it holds. Its API is asynchronous even in this build (every step is awaited);
// that cost is part of using it.
import SQLiteESMFactory from '../../node_modules/wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from '../../node_modules/wa-sqlite/src/sqlite-api.js';
import { AccessHandlePoolVFS } from '../../node_modules/wa-sqlite/src/examples/AccessHandlePoolVFS.js';

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

function wrap(sqlite3, db) {
  function rowObject(stmt, names) {
    const values = sqlite3.row(stmt);
    const row = {};
    for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
    return row;
  }
  // Runs the single statement in sql once per parameter list, collecting the first row of each.
  async function each(sql, paramRows, wantRows) {
    const rows = [];
    for await (const stmt of sqlite3.statements(db, sql)) {
      const names = sqlite3.column_names(stmt);
      for (const params of paramRows) {
        sqlite3.bind_collection(stmt, params);
        const hasRow = (await sqlite3.step(stmt)) === SQLite.SQLITE_ROW;
        if (wantRows) rows.push(hasRow ? rowObject(stmt, names) : undefined);
        await sqlite3.reset(stmt);
      }
    }
    return rows;
  }
  return {
    exec: (sql) => sqlite3.exec(db, sql),
    runEach: (sql, paramRows) => each(sql, paramRows, false),
    getEach: (sql, paramRows) => each(sql, paramRows, true),
    async all(sql) {
      const rows = [];
      for await (const stmt of sqlite3.statements(db, sql)) {
        const names = sqlite3.column_names(stmt);
        while ((await sqlite3.step(stmt)) === SQLite.SQLITE_ROW) rows.push(rowObject(stmt, names));
      }
      return rows;
    },
    close: () => sqlite3.close(db),
  };
}
