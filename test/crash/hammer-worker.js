// One process of the hammer (hammer.js forks it; nobody else should), as a writer or a reader
// of one node-fs database shared with the others.
//
// Writer: K transactions, each BEGIN IMMEDIATE; one counter + 1; one event row; COMMIT. A
// transaction refused with SQLITE_BUSY (only after the 5 s busy timeout) is rolled back,
// counted and retried; any other error is reported and ends the writer.
// Reader: until told to stop, read transactions that must see a consistent snapshot — the
// counters' sum equals the number of events — and a total that never goes backwards.
//
// argv[2] is JSON: { role, file, w, increments, counters, engine, locking, journal,
// autocheckpoint, checkpoints }; engine 'native' runs the same load through better-sqlite3, to
// compare with; locking 'fallback' makes node-fs use its lock directory. journal 'wal': the file
// is in WAL mode; writers set wal_autocheckpoint (default 50 pages), and reader 0, unless
// checkpoints is false, runs a wal_checkpoint of each kind in turn every few batches (one that
// finds readers or a writer in its way says so: counted, not an error). The report goes back
// over IPC.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Database } from '../../src/node.js';
import { nodeFsNamed } from './workload.js';

const config = JSON.parse(process.argv[2]);
// samples: what the busy retries and inconsistent snapshots were, the first few of them.
const report = {
  role: config.role, w: config.w, commits: 0, busy: 0, reads: 0, inconsistent: 0, samples: [], errors: [], checkpoints: {},
  waits: [], // writer: ms from each increment's first BEGIN IMMEDIATE to its COMMIT, busy retries included
  timedOut: 0, // writer: increments that waited out the busy timeout
};
const CHECKPOINTS = ['PASSIVE', 'FULL', 'RESTART', 'TRUNCATE'];
const isBusy = (e) => String(e?.code).startsWith('SQLITE_BUSY');
const describe = (e) => `${e.code ?? e.name}: ${e.message}`;

let stopping = false;
let go;
const everyoneReady = new Promise((resolve) => (go = resolve));
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
  if (m === 'go') go();
});

function rollback(db) {
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // The error that got us here is the one reported.
  }
}

// Preparing reads the schema, which needs a SHARED lock: a newcomer can be kept out past the
// busy timeout while the others commit back to back (SQLite's busy handler polls, it does not
// queue). That is a busy retry like any other, counted, not a failure.
function prepare(db, sql) {
  for (;;) {
    try {
      return db.prepare(sql);
    } catch (e) {
      if (!isBusy(e)) throw e;
      report.busy++;
      if (report.samples.length < 5) report.samples.push(`busy: preparing: ${describe(e)}`);
    }
  }
}

// A writer's first transactions compile the wasm of SQLite's write path, lazily, while they hold
// the lock: with a dozen writers starting together on two cores that held it for seconds. So
// each first writes a file of its own, the same way.
function warmUp(open) {
  const dir = mkdtempSync(join(tmpdir(), 'hammer-warm-'));
  try {
    const db = open(join(dir, 'warm.db'));
    if (config.journal === 'wal') db.pragma('journal_mode = wal');
    db.exec(`CREATE TABLE counters(id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE events(writer INTEGER, seq INTEGER, counter INTEGER, PRIMARY KEY(writer, seq));
      INSERT INTO counters VALUES (1, 0)`);
    const bump = db.prepare('UPDATE counters SET n = n + 1 WHERE id = 1');
    const event = db.prepare('INSERT INTO events(writer, seq, counter) VALUES (0, ?, 1)');
    for (let seq = 1; seq <= 20; seq++) {
      db.exec('BEGIN IMMEDIATE');
      bump.run();
      event.run(seq);
      db.exec('COMMIT');
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Says it is ready and waits until every process is (hammer.js says go): starting a dozen
// processes on a busy machine takes seconds, which are no wait for a lock.
async function ready() {
  process.send({ ready: true });
  await everyoneReady;
}

async function write(db) {
  const bump = prepare(db, 'UPDATE counters SET n = n + 1 WHERE id = ?');
  const event = prepare(db, 'INSERT INTO events(writer, seq, counter) VALUES (?, ?, ?)');
  const { w, increments, counters } = config;
  await ready();
  let firstTry = performance.now();
  for (let seq = 1; seq <= increments; ) {
    const counter = ((w + seq) % counters) + 1;
    const began = performance.now();
    try {
      db.exec('BEGIN IMMEDIATE');
      bump.run(counter);
      event.run(w, seq, counter);
      db.exec('COMMIT');
      report.commits++;
      seq++;
      const now = performance.now();
      report.waits.push(Math.round((now - firstTry) * 10) / 10);
      firstTry = now;
    } catch (e) {
      rollback(db);
      if (!isBusy(e)) throw e;
      report.busy++;
      report.timedOut++;
      const waited = Math.round(performance.now() - began);
      if (report.samples.length < 5) report.samples.push(`busy at seq ${seq} after ${waited} ms: ${describe(e)}`);
    }
  }
}

// A wal_checkpoint of the given kind; its `busy` column (readers or a writer in the way) is a
// count, not a failure.
function checkpoint(db, how) {
  try {
    const [{ busy }] = db.pragma(`wal_checkpoint(${how})`);
    const key = busy ? `${how} busy` : how;
    report.checkpoints[key] = (report.checkpoints[key] ?? 0) + 1;
  } catch (e) {
    if (!isBusy(e)) throw e;
    report.busy++;
    if (report.samples.length < 5) report.samples.push(`busy: checkpoint ${how}: ${describe(e)}`);
  }
}

async function read(db) {
  const sum = prepare(db, 'SELECT sum(n) FROM counters').pluck();
  const events = prepare(db, 'SELECT count(*) FROM events').pluck();
  const checkpointing = config.journal === 'wal' && config.w === 0 && config.checkpoints !== false;
  let previous = 0;
  let batches = 0;
  await ready();
  while (!stopping) {
    if (checkpointing && ++batches % 5 === 0) checkpoint(db, CHECKPOINTS[(batches / 5) % CHECKPOINTS.length]);
    // A batch, then a turn of the event loop so the stop message can arrive.
    for (let i = 0; i < 20; i++) {
      try {
        db.exec('BEGIN');
        const total = Number(sum.get());
        const count = Number(events.get());
        db.exec('COMMIT');
        report.reads++;
        if (total !== count || total < previous) {
          report.inconsistent++;
          if (report.samples.length < 5) {
            report.samples.push(`inconsistent snapshot: sum ${total}, events ${count}, an earlier sum ${previous}`);
          }
        }
        previous = Math.max(previous, total);
      } catch (e) {
        rollback(db);
        if (!isBusy(e)) throw e;
        report.busy++;
        if (report.samples.length < 5) report.samples.push(`busy: ${describe(e)}`);
      }
    }
    await yieldToEvents();
  }
}

try {
  const open = (file) =>
    config.engine === 'native'
      ? new (createRequire(import.meta.url)('better-sqlite3'))(file, { timeout: 5000 })
      : new Database(file, { vfs: nodeFsNamed(config.locking), timeout: 5000 });
  if (config.role === 'writer') warmUp(open);
  const db = open(config.file);
  if (config.journal === 'wal') {
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${mode}, not wal`);
    if (config.role === 'writer') db.pragma(`wal_autocheckpoint = ${config.autocheckpoint ?? 50}`);
  }
  if (config.role === 'writer') await write(db);
  else await read(db);
  db.close();
} catch (e) {
  report.errors.push(describe(e));
}
process.send(report, () => process.disconnect());
