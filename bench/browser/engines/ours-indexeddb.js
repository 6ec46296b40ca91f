// sqlite-component on its `indexeddb` VFS: an async VFS, so the database is an AsyncDatabase
// (JSPI) whose every call is awaited, as wa-sqlite's are.
import { Database, findVfs } from '../../../dist/browser.js';

export const file = 'ours-bench-idb.db';

export async function load() {
  await Database.ready();
  const vfs = findVfs('indexeddb');
  return {
    vfs: 'indexeddb (JSPI; blocks in IndexedDB, one IDB transaction per commit)',
    open: async (name) => wrap(await Database.open(name, { vfs: 'indexeddb' })),
    async remove(name) {
      for (const path of [name, `${name}-journal`]) {
        if (await vfs.access(path, 0)) await vfs.delete(path, false);
      }
    },
    dispose: async () => {},
  };
}

function wrap(db) {
  return {
    exec: (sql) => db.exec(sql),
    async runEach(sql, paramRows) {
      const stmt = await db.prepare(sql);
      for (const params of paramRows) await stmt.run(...params);
      await stmt.finalize();
    },
    async getEach(sql, paramRows) {
      const stmt = await db.prepare(sql);
      const rows = [];
      for (const params of paramRows) rows.push(await stmt.get(...params));
      await stmt.finalize();
      return rows;
    },
    async all(sql) {
      const stmt = await db.prepare(sql);
      const rows = await stmt.all();
      await stmt.finalize();
      return rows;
    },
    close: () => db.close(),
  };
}
