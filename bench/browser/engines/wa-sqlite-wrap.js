// The bench's engine interface over wa-sqlite's API, for both of its builds (wa-sqlite.js,
// wa-sqlite-idb.js): every step awaited, as that API asks.
import * as SQLite from '../../node_modules/wa-sqlite/src/sqlite-api.js';

export function wrap(sqlite3, db) {
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
