// The workload the I/O fault check (io-faults.js) runs under each fault: a database created,
// filled, indexed, updated, deleted from, vacuumed (to incremental auto-vacuum, then back),
// altered, through multi-statement transactions, nested transactions and savepoints, in each
// rollback journal mode (DELETE, TRUNCATE, PERSIST) and in WAL, with a small page cache so
// that transactions spill, and temporary files on disk for part of it.
//
// Each step is atomic: one statement, or one transaction that commits whole or not at all. So
// whatever a fault does, the database must afterwards hold exactly the steps that reported
// success, plus perhaps the one that failed (a failure may come after its commit point, as
// when a lock cannot be let go), and nothing of it in part. Steps work the same through our
// Database and better-sqlite3's, which replays them as the reference.

import { makeRng } from '../crash/workload.js';

const WORDS = ['alpha', 'Beta', 'gamma', 'DELTA', 'epsilon', 'zeta', 'Eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];

// A SQL literal for a blob of `n` bytes from `rng`.
const blob = (rng, n) => `x'${rng.bytes(n).toString('hex')}'`;
const text = (rng, n) => `'${Array.from({ length: n }, () => String.fromCharCode(97 + rng.int(0, 25))).join('')}'`;

// Rows for t1, some of them long enough for overflow pages (pages are 1024 bytes).
function t1Rows(rng, from, count) {
  const rows = [];
  for (let id = from; id < from + count; id++) {
    const big = rng() < 0.12;
    rows.push(`(${id}, '${rng.pick(WORDS)}${id % 17}', ${blob(rng, big ? rng.int(1100, 2600) : rng.int(0, 300))}, ` +
      `${(rng() * 2000 - 1000).toFixed(3)}, ${big ? text(rng, rng.int(900, 1800)) : rng.int(-5, 5)})`);
  }
  return `INSERT INTO t1(id, a, b, c, d) VALUES ${rows.join(', ')}`;
}

function kvRows(rng, from, count) {
  const rows = [];
  for (let i = from; i < from + count; i++) rows.push(`('k${String(i).padStart(4, '0')}', ${rng() < 0.3 ? blob(rng, rng.int(0, 700)) : rng.int(0, 1e6)})`);
  return rows.join(', ');
}

/**
 * The steps, in order: { name, run(db) → value, reads } — `reads`: its value is compared with
 * the reference's; the others' values are not (a journal_mode pragma answers what it could set).
 */
export function workloadSteps(seed = 1) {
  const rng = makeRng(seed);
  const steps = [];
  const step = (name, run, reads = false) => steps.push({ name, run, reads });
  const exec = (name, sql) => step(name, (db) => void db.exec(sql));
  const query = (name, sql) => step(name, (db) => db.prepare(sql).raw().all(), true);
  const txn = (name, sql) => exec(name, `BEGIN; ${sql}; COMMIT`);

  exec('create', 'PRAGMA page_size = 1024; PRAGMA auto_vacuum = NONE; BEGIN; ' +
    'CREATE TABLE t1(id INTEGER PRIMARY KEY, a TEXT COLLATE NOCASE, b BLOB, c REAL, d); ' +
    'CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID; COMMIT');
  txn('insert 50 rows', t1Rows(rng, 1, 50));
  exec('create index', 'CREATE INDEX t1_a ON t1(a)');
  query('count', 'SELECT count(*), sum(length(b)), total(c) FROM t1');
  exec('update autocommit', 'UPDATE t1 SET c = c * 2, a = a || \'!\' WHERE id % 3 = 0');
  step('nested transactions', (db) => {
    const put = db.prepare('INSERT INTO kv(k, v) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 12; i++) put.run(`n${String(i).padStart(3, '0')}`, i * 7);
      try {
        db.transaction(() => {
          put.run('inner', 1);
          throw new Error('rolls the inner savepoint back');
        })();
      } catch (e) {
        if (e.message !== 'rolls the inner savepoint back') throw e;
      }
      db.transaction(() => put.run('kept', 2))();
    })();
  });
  txn('savepoints', `INSERT INTO kv VALUES ${kvRows(rng, 0, 20)}; SAVEPOINT s1; ` +
    "UPDATE t1 SET d = 'gone' WHERE id < 30; ROLLBACK TO s1; DELETE FROM t1 WHERE id BETWEEN 20 AND 24; " +
    'SAVEPOINT s2; UPDATE kv SET v = 0 WHERE k < \'k0010\'; RELEASE s2; RELEASE s1');
  exec('delete autocommit', 'DELETE FROM t1 WHERE id % 5 = 0');
  query('by index', "SELECT id, a FROM t1 WHERE a >= 'E' ORDER BY a, id LIMIT 20");
  exec('journal truncate', 'PRAGMA journal_mode = TRUNCATE');
  txn('upsert', `INSERT INTO kv VALUES ${kvRows(rng, 10, 25)} ON CONFLICT(k) DO UPDATE SET v = excluded.v`);
  exec('partial index', 'CREATE INDEX t1_c ON t1(c) WHERE c > 0');
  exec('auto_vacuum incremental', 'PRAGMA auto_vacuum = INCREMENTAL');
  exec('vacuum', 'VACUUM');
  txn('drop table for freelist', 'CREATE TABLE junk(x); INSERT INTO junk SELECT b FROM t1; DROP TABLE junk');
  exec('incremental vacuum', 'PRAGMA incremental_vacuum(7)');
  exec('journal persist', 'PRAGMA journal_mode = PERSIST');
  txn('big transaction', `${t1Rows(rng, 1000, 70)}; UPDATE t1 SET b = zeroblob(length(b) / 2 + 1) WHERE id % 2 = 0; ` +
    'DELETE FROM t1 WHERE id % 7 = 3');
  exec('temp files', 'PRAGMA temp_store = FILE');
  txn('statement journal', 'UPDATE t1 SET id = id + 100000 WHERE id > 1040; ' +
    "INSERT INTO kv SELECT 'c' || id, c FROM t1 WHERE id > 100000");
  query('sort in temp', 'SELECT a, count(*), max(length(d)) FROM t1 GROUP BY a ORDER BY 3 DESC, 1 LIMIT 10');
  exec('alter add column', "ALTER TABLE t1 ADD COLUMN e TEXT DEFAULT 'seven'");
  exec('temp memory', 'PRAGMA temp_store = MEMORY');
  exec('drop index', 'DROP INDEX t1_c');
  exec('journal delete', 'PRAGMA journal_mode = DELETE');
  exec('auto_vacuum none', 'PRAGMA auto_vacuum = NONE; VACUUM');
  exec('journal wal', 'PRAGMA journal_mode = WAL');
  for (let i = 0; i < 3; i++) {
    exec(`wal insert ${i}`, `INSERT INTO kv VALUES ${kvRows(rng, 200 + i * 10, 10)}`);
  }
  txn('wal savepoints', `${t1Rows(rng, 2000, 25)}; SAVEPOINT w; DELETE FROM t1 WHERE id > 2015; ROLLBACK TO w; ` +
    "UPDATE t1 SET e = 'wal' WHERE id > 2018; RELEASE w");
  query('wal read', 'SELECT count(*), sum(id), min(k), max(k) FROM t1, (SELECT k FROM kv ORDER BY k LIMIT 3)');
  exec('checkpoint passive', 'PRAGMA wal_checkpoint(PASSIVE)');
  exec('wal update', 'UPDATE t1 SET c = -c WHERE id % 4 = 1');
  exec('wal index', 'CREATE INDEX t1_e ON t1(e, c)');
  exec('wal vacuum', 'VACUUM');
  txn('wal delete', "DELETE FROM kv WHERE k LIKE 'c%'; DELETE FROM t1 WHERE id > 2020");
  exec('checkpoint truncate', 'PRAGMA wal_checkpoint(TRUNCATE)');
  exec('wal insert after checkpoint', `INSERT INTO kv VALUES ${kvRows(rng, 400, 15)}`);
  exec('back to delete', 'PRAGMA journal_mode = DELETE');
  txn('last transaction', `${t1Rows(rng, 3000, 12)}; UPDATE kv SET v = length(v) WHERE typeof(v) = 'blob'`);
  query('last read', 'SELECT count(*), total(c), sum(length(b)) FROM t1');
  return steps;
}

// A value as text that tells types apart (safeIntegers on: integers are BigInts).
function cell(v) {
  if (v === null) return 'N';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return `r${Object.is(v, -0) ? '-0' : v}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  return `b${Buffer.from(v).toString('hex')}`;
}

export function valueKey(value) {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  return cell(value);
}

/** Everything the database holds, as one string: the schema and every table's rows, sorted. */
export function contentOf(db) {
  const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    .raw().all();
  const parts = [valueKey(schema)];
  for (const [type, name] of schema) {
    if (type !== 'table') continue;
    const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all().map(valueKey).sort();
    parts.push(`${name}:${rows.join(';')}`);
  }
  return parts.join('\n');
}
