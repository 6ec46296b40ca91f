// wa-sqlite: its synchronous Emscripten build with its example MemoryVFS (JS storage). Its API
// is asynchronous even in this build (every step is awaited); that cost is part of using it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import SQLiteESMFactory from 'wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from 'wa-sqlite';
import { MemoryVFS } from 'wa-sqlite/src/examples/MemoryVFS.js';

const require = createRequire(import.meta.url);

export const label = `wa-sqlite ${require('wa-sqlite/package.json').version}`;
export const wasmFile = require.resolve('wa-sqlite/dist/wa-sqlite.wasm');
export const hasFiles = false;

let sqlite3;
let opened = 0;

async function load() {
  // The web build fetch()es its .wasm by URL, which Node cannot do for file: URLs.
  const module = await SQLiteESMFactory({ wasmBinary: readFileSync(wasmFile) });
  const api = SQLite.Factory(module);
  api.vfs_register(new MemoryVFS(), true);
  return api;
}

function rowObject(stmt, names) {
  const values = sqlite3.row(stmt);
  const row = {};
  for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
  return row;
}

export async function open() {
  sqlite3 ??= await load();
  // A name of its own, so that each open is a fresh database, as ':memory:' is for the others.
  const db = await sqlite3.open_v2(`bench-${++opened}`);
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
