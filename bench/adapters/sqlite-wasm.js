// The official SQLite wasm build (@sqlite.org/sqlite-wasm), through its oo1 API, in memory.
import { createRequire } from 'node:module';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';

const require = createRequire(import.meta.url);

export const label = `sqlite-wasm ${require('@sqlite.org/sqlite-wasm/package.json').version}`;
export const wasmFile = require.resolve('@sqlite.org/sqlite-wasm/sqlite3.wasm');
export const hasFiles = false;

let sqlite3;

export async function open() {
  sqlite3 ??= await sqlite3InitModule();
  const db = new sqlite3.oo1.DB(':memory:', 'c');
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
