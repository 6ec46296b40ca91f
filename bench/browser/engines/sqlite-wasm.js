// The official build (@sqlite.org/sqlite-wasm) on its opfs-sahpool VFS: a pool of OPFS files
// whose sync access handles are all opened at install time, with a name map in their headers,
// so opening a database later needs no await. Its oo1 API is synchronous.
import sqlite3InitModule from '../../node_modules/@sqlite.org/sqlite-wasm/dist/index.mjs';

export const file = '/bench.db';
const directory = '/bench-sahpool';

export async function load() {
  const sqlite3 = await sqlite3InitModule();
  // clearOnInit: every run starts from an empty pool, as ours starts from an empty OPFS.
  const pool = await sqlite3.installOpfsSAHPoolVfs({ name: 'bench-sahpool', directory, clearOnInit: true });
  return {
    vfs: `opfs-sahpool (OPFS directory ${directory}, pool capacity ${pool.getCapacity()})`,
    open: (name) => wrap(new pool.OpfsSAHPoolDb(name)),
    remove: (name) => { pool.unlink(name); pool.unlink(`${name}-journal`); },
    // Closes the pool's handles and deletes its directory.
    dispose: () => pool.removeVfs(),
  };
}

function wrap(db) {
  return {
    exec: (sql) => { db.exec(sql); },
    runEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      try {
        for (const params of paramRows) stmt.bind(params).stepReset();
      } finally {
        stmt.finalize();
      }
    },
    getEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      try {
        return paramRows.map((params) => {
          const row = stmt.bind(params).step() ? stmt.get({}) : undefined;
          stmt.reset();
          return row;
        });
      } finally {
        stmt.finalize();
      }
    },
    all: (sql) => db.selectObjects(sql),
    close: () => db.close(),
  };
}
