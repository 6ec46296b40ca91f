// sqlite-component in a dedicated Worker on its `opfs` VFS, through the browser entry's
// better-sqlite3-style API: one await to compile, one to open (it obtains the file's handles),
// synchronous afterwards.
import { Database } from '../../../dist/browser.js';

export const file = 'ours-bench.db';

export async function load() {
  await Database.ready();
  return {
    vfs: 'opfs (files at the OPFS root)',
    open: async (name) => wrap(await Database.open(name, { vfs: 'opfs' })),
    remove: (name) => removeFromOpfsRoot([name, `${name}-journal`, `${name}-wal`]),
    dispose: async () => {},
  };
}

async function removeFromOpfsRoot(names) {
  const root = await navigator.storage.getDirectory();
  for (const name of names) {
    try {
      await root.removeEntry(name);
    } catch (e) {
      if (e.name !== 'NotFoundError') throw e;
    }
  }
}

function wrap(db) {
  return {
    exec: (sql) => { db.exec(sql); },
    runEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      for (const params of paramRows) stmt.run(...params);
    },
    getEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      return paramRows.map((params) => stmt.get(...params));
    },
    all: (sql) => db.prepare(sql).all(),
    close: () => db.close(),
  };
}
