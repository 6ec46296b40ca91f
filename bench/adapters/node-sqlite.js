// node:sqlite, the SQLite built into Node (DatabaseSync, Node >= 22.13): what a Node user who
// wants no native build picks. Runs in the Node 24 group only; under an older Node its import
// fails and the child reports it as skipped.
import { DatabaseSync } from 'node:sqlite';

export const label = `node:sqlite ${process.version}`;
export const wasmFile = null;
export const hasFiles = true;
export const capabilities = ['prepareEach', 'wal'];

export function open(file) {
  const db = new DatabaseSync(file ?? ':memory:');
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
    // A statement prepared per row, as an ORM does: the rows of each get, when `get`.
    prepareEach(sql, paramRows, get) {
      if (get) return paramRows.map((params) => db.prepare(sql).get(...params));
      for (const params of paramRows) db.prepare(sql).run(...params);
      return undefined;
    },
    all: (sql) => db.prepare(sql).all(),
    close: () => db.close(),
  };
}
