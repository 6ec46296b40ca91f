// The browser workloads (issue 9, item 5): the SQL, the data and a check string per workload,
// kept here once so that every engine runs the same queries on the same rows. Runs inside each
// engine's Worker; engines only execute (see engines/*.js for the interface they provide).
// The seeded generator and the median are those of ../workloads.js.

import { median, xorshift } from '../workloads.js';

export { median };

export const SIZES = {
  full: { rows: 100_000, gets: 20_000, autocommits: 1_000, warmups: 1, runs: 5, inits: 5 },
  quick: { rows: 1_000, gets: 200, autocommits: 20, warmups: 0, runs: 1, inits: 1 },
};

export const WORKLOADS = ['insert-txn', 'select-all', 'point-get', 'autocommit', 'reopen-count'];

// Deterministic: each engine runs in its own Worker and must see the same rows and keys.
export function makeData(size) {
  const rand = xorshift(0x5eed);
  const row = (id) => {
    const a = rand() % 1_000_000;
    // b keeps a fraction so that every engine binds it as a double.
    const b = (rand() % 100_000) / 7 + 0.5;
    return [id, a, b, `text-${rand().toString(36).padStart(7, '0')}-${id}`];
  };
  const rows = [];
  for (let id = 1; id <= size.rows; id++) rows.push(row(id));
  const getIds = [];
  for (let i = 0; i < size.gets; i++) getIds.push([1 + (rand() % size.rows)]);
  // New keys after the bulk rows, so the autocommit inserts add rows rather than collide.
  const autocommitRows = [];
  for (let id = size.rows + 1; id <= size.rows + size.autocommits; id++) autocommitRows.push(row(id));
  return { rows, getIds, autocommitRows };
}

// The same settings for every engine, applied on every open, since their defaults differ
// (page size 4096 or 8192, page cache 2 MB to 16 MB). A rollback journal, as in the Node bench's
// file workloads: opfs-sahpool and wa-sqlite's pool VFS support no shared-memory WAL.
export const PRAGMAS = 'PRAGMA page_size=4096; PRAGMA cache_size=-16000; ' +
  'PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL';
const CREATE_T = 'CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT)';
const INSERT_T = 'INSERT INTO t(id, a, b, c) VALUES (?, ?, ?, ?)';

// Reals go through toFixed so that a last-bit difference in a sum does not read as a wrong result.
const sum = (rows, f) => rows.reduce((s, r) => s + Number(f(r)), 0);
const checkAll = (rows) =>
  `${rows.length}/${sum(rows, (r) => r.a)}/${sum(rows, (r) => r.b).toFixed(3)}/${sum(rows, (r) => r.c.length)}`;
const checkGets = (rows) => `${rows.filter(Boolean).length}/${sum(rows, (r) => r.id)}/${sum(rows, (r) => r.a)}`;
async function countAndSum(db) {
  const [r] = await db.all('SELECT count(*) AS n, sum(a) AS s FROM t');
  return `${r.n}/${r.s}`;
}

// One round: the five workloads in order on a fresh file. Setup and checks are untimed.
// Returns { name: { ms, check } }.
export async function runRound(engine, file, data) {
  const open = async () => {
    const opened = await engine.open(file);
    await opened.exec(PRAGMAS);
    return opened;
  };
  await engine.remove(file);
  let db = await open();
  await db.exec(CREATE_T);
  const out = {};
  async function time(name, run, check) {
    const t0 = performance.now();
    const result = await run();
    const ms = performance.now() - t0;
    out[name] = { ms, check: await check(result) };
  }
  await time('insert-txn', async () => {
    await db.exec('BEGIN');
    await db.runEach(INSERT_T, data.rows);
    await db.exec('COMMIT');
  }, () => countAndSum(db));
  await time('select-all', () => db.all('SELECT id, a, b, c FROM t'), checkAll);
  await time('point-get', () => db.getEach('SELECT id, a, b, c FROM t WHERE id = ?', data.getIds), checkGets);
  await time('autocommit', () => db.runEach(INSERT_T, data.autocommitRows), () => countAndSum(db));
  // Reopening includes what an engine does to get its file back (handles, header, schema).
  await time('reopen-count', async () => {
    await db.close();
    db = await open();
    return db.all('SELECT count(*) AS n FROM t');
  }, (rows) => `${rows[0].n}`);
  await db.close();
  await engine.remove(file);
  return out;
}
