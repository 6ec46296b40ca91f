// What every crash trial writes, and how the database that survives is judged.
//
// Each writer commits numbered transactions (its `seq`, 1, 2, 3 …). Transaction `seq` of writer
// `w` inserts rowsFor(seq) rows into table a and as many into table b, and moves w's counter row
// in c to { txns: txns + 1, last: seq }. The three land on different pages (b is keyed by a
// random hash, a carries blobs that sometimes overflow), so a transaction that was only partly
// applied shows as a count that differs between a, b and c.
//
// A writer logs `seq` only after COMMIT returned. The judge (native SQLite, better-sqlite3)
// then asks: integrity_check is ok; every logged transaction is there in full (else a lost
// commit); no transaction is there in part (half-applied); and the transactions that are there
// are exactly 1..M for each writer, M at most one past the last logged (the one in flight when
// it died) — anything else is rows nobody committed, counted as corruption.
//
// Under WAL with synchronous=NORMAL a power loss may take back the last commits (SQLite's
// promise there is consistency, not durability): the judge is then told `tailMayBeLost`, and
// logged transactions missing above the last one that survived count as rolled back, not lost.
// A gap below it is still a lost commit.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { findVfs, registerVfs, NodeFsVfs } from '../../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS a(writer INTEGER, seq INTEGER, k INTEGER, pad BLOB, PRIMARY KEY(writer, seq, k));
  CREATE TABLE IF NOT EXISTS b(h BLOB PRIMARY KEY, writer INTEGER, seq INTEGER, k INTEGER) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS c(writer INTEGER PRIMARY KEY, txns INTEGER NOT NULL, last INTEGER NOT NULL);
`;

/** Rows per table in transaction `seq`: mostly 1–3; every 25th is large enough to spill a small cache. */
export function rowsFor(seq) {
  return seq % 25 === 0 ? 60 : 1 + (seq % 3);
}

/** A small seeded generator (mulberry32), so a power-loss trial replays exactly from its seed. */
export function makeRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive bounds
  next.pick = (list) => list[Math.floor(next() * list.length)];
  next.bytes = (n) => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = (next() * 256) | 0;
    return out;
  };
  return next;
}

/**
 * The name of the node-fs VFS that locks the given way: 'native' (byte-range locks, the
 * default) or 'fallback' (the lock directory, which also has to recover the locks of the
 * processes the trials kill). Every process on one file must use the same.
 */
export function nodeFsNamed(locking = 'native') {
  if (locking === 'native') return 'node-fs';
  const name = 'node-fs-fallback';
  if (!findVfs(name)) registerVfs(new NodeFsVfs({ locking: 'fallback', name }));
  return name;
}

/** Creates the tables and one counter row per writer; `db` is ours or native. */
export function createSchema(db, writers) {
  db.exec(SCHEMA);
  const add = db.prepare('INSERT OR IGNORE INTO c(writer, txns, last) VALUES (?, 0, 0)');
  for (let w = 0; w < writers; w++) add.run(w);
}

/** Commits transactions for writer `w` through `db` (our Database). */
export class TxnWriter {
  constructor(db, w, rng) {
    this.db = db;
    this.w = w;
    this.rng = rng;
    this.insertA = db.prepare('INSERT INTO a(writer, seq, k, pad) VALUES (?, ?, ?, ?)');
    this.insertB = db.prepare('INSERT INTO b(h, writer, seq, k) VALUES (?, ?, ?, ?)');
    this.bump = db.prepare('UPDATE c SET txns = txns + 1, last = ? WHERE writer = ?');
    this.lastSeq = db.prepare('SELECT last FROM c WHERE writer = ?').pluck();
  }

  /** The last transaction this writer committed, as the database says. */
  last() {
    return Number(this.lastSeq.get(this.w) ?? 0);
  }

  /**
   * One whole transaction; throws what SQLite threw, after rolling back. `beforeCommit` runs
   * just before COMMIT (the --break log mode uses it to log too early).
   */
  commit(seq, beforeCommit) {
    const { db, w, rng } = this;
    db.exec('BEGIN IMMEDIATE');
    try {
      for (let k = 0; k < rowsFor(seq); k++) {
        // Sizes up to 3000 bytes put some rows on overflow pages.
        this.insertA.run(w, seq, k, rng.bytes(rng() < 0.1 ? rng.int(1500, 3000) : rng.int(0, 400)));
        this.insertB.run(rng.bytes(16), w, seq, k);
      }
      this.bump.run(seq, w);
      beforeCommit?.();
      db.exec('COMMIT');
    } catch (e) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // The connection is beyond use (a simulated crash); the caller sees the first error.
      }
      throw e;
    }
  }
}

/**
 * Judges the database at `file` with native SQLite. `logged` maps each writer to the seqs it
 * logged as committed. Returns { corrupt: reason or null, lost, half, rolledBack, notes }.
 */
export function verify(file, logged, { tailMayBeLost = false } = {}) {
  const result = { corrupt: null, lost: 0, half: 0, rolledBack: 0, notes: [] };
  if (!existsSync(file)) {
    result.corrupt = 'the database file is gone';
    return result;
  }
  let db;
  try {
    // Read-write: opening must be able to roll back a hot journal left behind.
    db = new NativeDatabase(file, { timeout: 5000 });
    const check = db.pragma('integrity_check').map((r) => r.integrity_check);
    if (check.length !== 1 || check[0] !== 'ok') {
      result.corrupt = `integrity_check: ${check.slice(0, 3).join('; ')}`;
      return result;
    }
    const counts = (table) => {
      const byWriter = new Map();
      for (const { writer, seq, n } of db
        .prepare(`SELECT writer, seq, count(*) AS n FROM ${table} GROUP BY writer, seq`)
        .all()) {
        if (!byWriter.has(writer)) byWriter.set(writer, new Map());
        byWriter.get(writer).set(seq, n);
      }
      return byWriter;
    };
    const inA = counts('a');
    const inB = counts('b');
    const counters = new Map(db.prepare('SELECT writer, txns, last FROM c').all().map((r) => [r.writer, r]));
    const writers = new Set([...logged.keys(), ...inA.keys(), ...inB.keys(), ...counters.keys()]);
    for (const w of writers) {
      judgeWriter(w, logged.get(w) ?? [], inA.get(w), inB.get(w), counters.get(w), result, tailMayBeLost);
    }
  } catch (e) {
    result.corrupt = `${e.code ?? e.name}: ${e.message}`;
  } finally {
    try {
      db?.close();
    } catch {
      // Judged already; nothing to add.
    }
  }
  return result;
}

function judgeWriter(w, loggedSeqs, a = new Map(), b = new Map(), counter, result, tailMayBeLost) {
  const note = (text) => result.notes.length < 20 && result.notes.push(`writer ${w}: ${text}`);
  const whole = new Set();
  const partial = new Set();
  for (const seq of new Set([...a.keys(), ...b.keys()])) {
    const want = rowsFor(seq);
    if ((a.get(seq) ?? 0) === want && (b.get(seq) ?? 0) === want) whole.add(seq);
    else partial.add(seq);
  }
  for (const seq of partial) {
    note(`seq ${seq} half-applied: a has ${a.get(seq) ?? 0} rows, b ${b.get(seq) ?? 0}, want ${rowsFor(seq)}`);
  }

  const maxLogged = loggedSeqs.reduce((m, s) => Math.max(m, s), 0);
  const maxWhole = [...whole].reduce((m, s) => Math.max(m, s), 0);
  let lost = 0;
  let rolledBack = 0;
  const maxThere = Math.max(maxWhole, ...partial);
  for (const seq of new Set(loggedSeqs)) {
    if (!whole.has(seq) && !partial.has(seq)) {
      if (tailMayBeLost && seq > maxThere) {
        rolledBack++;
        continue;
      }
      lost++;
      if (lost <= 3) note(`seq ${seq} was logged as committed and is missing`);
    }
  }
  // A gap below a transaction that is there: something committed after it saw it committed.
  for (let seq = 1; seq < maxWhole; seq++) {
    if (!whole.has(seq) && !partial.has(seq) && !loggedSeqs.includes(seq)) {
      lost++;
      note(`seq ${seq} is missing below seq ${maxWhole}`);
    }
  }
  if (lost > 3) note(`${lost} lost in all`);
  if (rolledBack) note(`${rolledBack} logged transactions rolled back, after seq ${maxThere} (allowed)`);
  result.lost += lost;
  result.rolledBack += rolledBack;

  if (maxWhole > maxLogged + 1) {
    result.corrupt ??= `writer ${w}: seq ${maxWhole} is there but only ${maxLogged} was ever logged`;
  }
  // The counter moves in the same transaction as the rows: any disagreement is a transaction
  // applied in part (counted once, unless its rows already showed it).
  const txns = Number(counter?.txns ?? 0);
  const last = Number(counter?.last ?? 0);
  if (txns !== whole.size || last !== maxWhole) {
    const culprit = last !== maxWhole ? Math.max(last, maxWhole) : maxWhole;
    if (!partial.has(culprit)) partial.add(culprit);
    note(`counter says ${txns} transactions up to seq ${last}; the rows say ${whole.size} up to ${maxWhole}`);
  }
  result.half += partial.size;
}
