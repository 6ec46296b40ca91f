// sql.js: SQLite compiled by Emscripten, its database a file in Emscripten's in-memory FS.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import initSqlJs from 'sql.js';

const require = createRequire(import.meta.url);
// Its "exports" leave out package.json; it sits one folder above the entry point.
const pkg = JSON.parse(readFileSync(join(dirname(require.resolve('sql.js')), '..', 'package.json'), 'utf8'));

export const label = `sql.js ${pkg.version}`;
export const wasmFile = require.resolve('sql.js/dist/sql-wasm.wasm');
export const hasFiles = false;

let SQL;

export async function open() {
  SQL ??= await initSqlJs();
  const db = new SQL.Database();
  return {
    exec: (sql) => { db.exec(sql); },
    runEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      try {
        for (const params of paramRows) stmt.run(params);
      } finally {
        stmt.free();
      }
    },
    getEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      try {
        return paramRows.map((params) => {
          stmt.bind(params);
          const row = stmt.step() ? stmt.getAsObject() : undefined;
          stmt.reset();
          return row;
        });
      } finally {
        stmt.free();
      }
    },
    all(sql) {
      const stmt = db.prepare(sql);
      const rows = [];
      try {
        while (stmt.step()) rows.push(stmt.getAsObject());
      } finally {
        stmt.free();
      }
      return rows;
    },
    close: () => db.close(),
  };
}
