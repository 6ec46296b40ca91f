// The adapter of an engine whose API has better-sqlite3's shape — prepare() → run/get/all,
// exec(), close() — over one open database `db`: better-sqlite3, ours and node:sqlite.
// `spread`: a row's parameters go as arguments (node:sqlite takes no array; ours is measured
// so, as users call it); else as one array, as better-sqlite3's own benchmarks pass them.
export function preparedApi(db, { spread }) {
  return {
    exec: (sql) => { db.exec(sql); },
    runEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      if (spread) for (const params of paramRows) stmt.run(...params);
      else for (const params of paramRows) stmt.run(params);
    },
    getEach(sql, paramRows) {
      const stmt = db.prepare(sql);
      return spread ? paramRows.map((params) => stmt.get(...params)) : paramRows.map((params) => stmt.get(params));
    },
    // A statement prepared per row, as an ORM does: the rows of each get, when `get`.
    prepareEach(sql, paramRows, get) {
      if (get) {
        return spread
          ? paramRows.map((params) => db.prepare(sql).get(...params))
          : paramRows.map((params) => db.prepare(sql).get(params));
      }
      if (spread) for (const params of paramRows) db.prepare(sql).run(...params);
      else for (const params of paramRows) db.prepare(sql).run(params);
      return undefined;
    },
    all: (sql) => db.prepare(sql).all(),
    close: () => db.close(),
  };
}
