// node-sqlite3-wasm: SQLite compiled by Emscripten with a VFS of its own on Node's fs, the wasm
// peer that has files. A peer on the file rows (and startup and open-100), as issue 19 brought it
// in; it has no WAL (journal_mode=WAL answers "delete"), so the WAL rows stay blank.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Database } = require('node-sqlite3-wasm');

export const label = `node-sqlite3-wasm ${require('node-sqlite3-wasm/package.json').version}`;
export const wasmFile = require.resolve('node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm');
export const hasFiles = true;
export const memoryRows = false;

// Its statements hold wasm memory until finalized: no garbage collector frees them.
function withStatement(db, sql, use) {
  const stmt = db.prepare(sql);
  try {
    return use(stmt);
  } finally {
    stmt.finalize();
  }
}

export function open(file) {
  const db = new Database(file ?? ':memory:');
  return {
    exec: (sql) => { db.exec(sql); },
    runEach: (sql, paramRows) => withStatement(db, sql, (stmt) => {
      for (const params of paramRows) stmt.run(params);
    }),
    getEach: (sql, paramRows) => withStatement(db, sql, (stmt) =>
      paramRows.map((params) => stmt.get(params) ?? undefined)),
    all: (sql) => db.all(sql),
    close: () => db.close(),
  };
}
