// The workloads every engine runs: the SQL, the data and a checksum of what came back, kept here
// once so that no adapter can run a different query or different data. Adapters only execute.
// BENCH_WORKLOADS=a,b (environment, inherited by every child) runs only the named workloads, e.g.
//   BENCH_WORKLOADS=file-point-get,file-select-all npm run -s bench -- --engines better-sqlite3,ours

export const SIZES = {
  full: { rows: 100_000, gets: 100_000, groups: 20, updates: 20_000, blobs: 2_000,
    blobBytes: 64 * 1024, autocommits: 1_000, walInserts: 10_000, warmups: 1, runs: 5, colds: 3,
    startups: 7, opens: 100, openRuns: 3 },
  quick: { rows: 2_000, gets: 2_000, groups: 20, updates: 500, blobs: 50,
    blobBytes: 64 * 1024, autocommits: 20, walInserts: 200, warmups: 1, runs: 1, colds: 1,
    coldsInOneProcess: true, startups: 1, opens: 100, openRuns: 1 },
};

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// Deterministic data: every engine (each in its own process) must see the same rows.
export function xorshift(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function shuffledIds(count, max, rand) {
  const ids = [];
  for (let i = 0; i < count; i++) ids.push([1 + (rand() % max)]);
  return ids;
}

function makeData(size) {
  const rand = xorshift(0x5eed);
  const rows = [];
  for (let id = 1; id <= size.rows; id++) {
    const a = rand() % 1_000_000;
    // b keeps a fraction so that engines bind it as a double, not as an integer.
    const b = (rand() % 100_000) / 7 + 0.5;
    const c = `text-${rand().toString(36).padStart(7, '0')}-${id}`;
    rows.push([id, a, b, c]);
  }
  // A few distinct blobs, reused, so the process holds the data once and not 128 MiB of copies.
  const distinct = Array.from({ length: 8 }, () => {
    const blob = new Uint8Array(size.blobBytes);
    for (let i = 0; i < blob.length; i++) blob[i] = rand() & 0xff;
    return blob;
  });
  const blobRows = [];
  for (let id = 1; id <= size.blobs; id++) blobRows.push([id, distinct[id % distinct.length]]);
  return {
    rows,
    autocommitRows: rows.slice(0, size.autocommits),
    getIds: shuffledIds(size.gets, size.rows, rand),
    updateIds: shuffledIds(size.updates, size.rows, rand),
    blobRows,
    blobIds: blobRows.map(([id]) => [id]),
    // Drawn last, so the other workloads keep the data they always had.
    fileGetIds: shuffledIds(size.gets / 2, size.rows, rand),
    walRows: rows.slice(0, size.walInserts),
  };
}

const CREATE_T = 'CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT)';
const INSERT_T = 'INSERT INTO t(id, a, b, c) VALUES (?, ?, ?, ?)';
const FILE_PRAGMAS = 'PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL';

// Reals go through toFixed so that a last-bit difference in a sum does not read as a wrong result.
const sum = (rows, f) => rows.reduce((s, r) => s + Number(f(r)), 0);

async function countAndSum(db) {
  const [r] = await db.all('SELECT count(*) AS n, sum(a) AS s FROM t');
  return `${r.n}/${r.s}`;
}

// A file workload reads a table that is already there: filled (untimed) in its setup.
async function fillFile(db, rows) {
  await db.exec(`${FILE_PRAGMAS}; ${CREATE_T}`);
  await insertAll(db, rows);
}

// WAL with synchronous=NORMAL, as a server sets it: a commit appends to the -wal file and syncs
// nothing; every transaction reads the wal-index (-shm). An engine that answers with another
// journal mode has no WAL here, and must not be timed as if it had.
async function walMode(db) {
  const [r] = await db.all('PRAGMA journal_mode=WAL');
  if (r.journal_mode !== 'wal') throw new Error(`Expected journal_mode wal; got ${r.journal_mode}`);
  await db.exec('PRAGMA synchronous=NORMAL');
}

const checkAll = (db, rows) =>
  `${rows.length}/${sum(rows, (r) => r.a)}/${sum(rows, (r) => r.b).toFixed(3)}/${sum(rows, (r) => r.c.length)}`;
const checkGets = (db, rows) => `${rows.filter(Boolean).length}/${sum(rows, (r) => r.id)}/${sum(rows, (r) => r.a)}`;

async function insertAll(db, rows) {
  await db.exec('BEGIN');
  await db.runEach(INSERT_T, rows);
  await db.exec('COMMIT');
}

// Each workload: `setup` (untimed, before every run), `run` (timed), `check` (untimed, after the
// last run) returns a string that must be equal for every engine. `file` workloads get a fresh
// on-disk database per run and only run on engines that have one. `prepare` (untimed, once) is
// for the cold run, in a fresh process on a fresh database: it leaves what the workloads before
// this one would have, e.g. the table t that insert-txn fills.
export function makeWorkloads(size) {
  const only = process.env.BENCH_WORKLOADS?.split(',').filter(Boolean);
  const all = allWorkloads(size);
  if (!only?.length) return all;
  const unknown = only.filter((n) => !all.some((w) => w.name === n));
  if (unknown.length) throw new RangeError(`Expected BENCH_WORKLOADS among ${all.map((w) => w.name)}; got ${unknown}`);
  return all.filter((w) => only.includes(w.name));
}

function allWorkloads(size) {
  const data = makeData(size);
  const fillTable = async (db) => {
    await db.exec(CREATE_T);
    await insertAll(db, data.rows);
  };
  const groupQueries = [];
  for (let k = 2; k < 2 + size.groups; k++) {
    groupQueries.push(`SELECT a % ${k} AS g, count(*) AS n, sum(b) AS s, avg(a) AS m,
      min(c) AS lo, max(length(c)) AS w FROM t GROUP BY g ORDER BY g`);
  }
  return [
    {
      name: 'insert-txn',
      setup: (db) => db.exec(`DROP TABLE IF EXISTS t; ${CREATE_T}`),
      run: (db) => insertAll(db, data.rows),
      check: (db) => countAndSum(db),
    },
    {
      name: 'select-all',
      prepare: fillTable,
      run: (db) => db.all('SELECT id, a, b, c FROM t'),
      check: checkAll,
    },
    {
      name: 'point-get',
      prepare: fillTable,
      run: (db) => db.getEach('SELECT id, a, b, c FROM t WHERE id = ?', data.getIds),
      check: checkGets,
    },
    {
      name: 'aggregate',
      prepare: fillTable,
      run: async (db) => {
        const out = [];
        for (const sql of groupQueries) out.push(await db.all(sql));
        return out;
      },
      check: (db, results) => results.map((rows) =>
        `${rows.length}:${sum(rows, (r) => r.n)}:${sum(rows, (r) => r.s).toFixed(3)}:${rows[0].lo}:${rows[0].w}`).join(','),
    },
    {
      name: 'update-index',
      prepare: fillTable,
      setup: (db) => db.exec('DROP INDEX IF EXISTS t_a'),
      run: async (db) => {
        await db.exec('CREATE INDEX t_a ON t(a)');
        await db.exec('BEGIN');
        await db.runEach('UPDATE t SET a = a + 1 WHERE id = ?', data.updateIds);
        await db.exec('COMMIT');
      },
      check: async (db) => {
        const [r] = await db.all('SELECT sum(a) AS s, count(*) AS n FROM t INDEXED BY t_a WHERE a >= 0');
        return `${r.n}/${r.s}`;
      },
    },
    {
      name: 'blob',
      setup: (db) => db.exec('DROP TABLE IF EXISTS blobs; CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB)'),
      run: async (db) => {
        await db.exec('BEGIN');
        await db.runEach('INSERT INTO blobs(id, data) VALUES (?, ?)', data.blobRows);
        await db.exec('COMMIT');
        return db.getEach('SELECT data FROM blobs WHERE id = ?', data.blobIds);
      },
      check: (db, rows) =>
        `${rows.length}/${sum(rows, (r) => r.data.length)}/${sum(rows, (r) => r.data[7] + r.data[r.data.length - 1])}`,
    },
    // An ORM's way: one prepare per query (e.g. Drizzle's better-sqlite3 session), in one
    // synchronous loop. Only engines with a better-sqlite3-style prepare run these.
    {
      name: 'prepare-run',
      needs: 'prepareEach',
      setup: (db) => db.exec(`DROP TABLE IF EXISTS t; ${CREATE_T}`),
      run: async (db) => {
        await db.exec('BEGIN');
        await db.prepareEach(INSERT_T, data.rows, false);
        await db.exec('COMMIT');
      },
      check: (db) => countAndSum(db),
    },
    {
      name: 'prepare-get',
      prepare: fillTable,
      needs: 'prepareEach',
      run: (db) => db.prepareEach('SELECT id, a, b, c FROM t WHERE id = ?', data.getIds, true),
      check: checkGets,
    },
    {
      name: 'file-insert-txn',
      file: true,
      setup: (db) => db.exec(`${FILE_PRAGMAS}; ${CREATE_T}`),
      run: (db) => insertAll(db, data.rows),
      check: (db) => countAndSum(db),
    },
    {
      name: 'file-autocommit',
      file: true,
      setup: (db) => db.exec(`${FILE_PRAGMAS}; ${CREATE_T}`),
      run: (db) => db.runEach(INSERT_T, data.autocommitRows),
      check: (db) => countAndSum(db),
    },
    // Every autocommit read takes and drops the file lock: these two show what that costs.
    {
      name: 'file-point-get',
      file: true,
      setup: (db) => fillFile(db, data.rows),
      run: (db) => db.getEach('SELECT id, a, b, c FROM t WHERE id = ?', data.fileGetIds),
      check: checkGets,
    },
    {
      name: 'file-select-all',
      file: true,
      setup: (db) => fillFile(db, data.rows),
      run: (db) => db.all('SELECT id, a, b, c FROM t'),
      check: checkAll,
    },
    // WAL (issue 19): autocommit reads, each a read transaction on the wal-index, and autocommit
    // inserts, each a commit that appends to the -wal file.
    {
      name: 'file-wal-point-get',
      file: true,
      needs: 'wal',
      setup: async (db) => {
        await walMode(db);
        await db.exec(CREATE_T);
        await insertAll(db, data.rows);
      },
      run: (db) => db.getEach('SELECT id, a, b, c FROM t WHERE id = ?', data.fileGetIds),
      check: checkGets,
    },
    {
      name: 'file-wal-insert',
      file: true,
      needs: 'wal',
      setup: async (db) => {
        await walMode(db);
        await db.exec(CREATE_T);
      },
      run: (db) => db.runEach(INSERT_T, data.walRows),
      check: (db) => countAndSum(db),
    },
  ];
}
