// One process of the hammer (hammer.js forks it; nobody else should), as a writer or a reader
// of one node-fs database shared with the others.
//
// Writer: K transactions, each BEGIN IMMEDIATE; one counter + 1; one event row; COMMIT. A
// transaction refused with SQLITE_BUSY (only after the 5 s busy timeout) is rolled back,
// counted and retried; any other error is reported and ends the writer.
// Reader: until told to stop, read transactions that must see a consistent snapshot — the
// counters' sum equals the number of events — and a total that never goes backwards.
//
// argv[2] is JSON: { role, file, w, increments, counters, engine, locking }; engine 'native'
// runs the same load through better-sqlite3, to compare with; locking 'fallback' makes node-fs
// use its lock directory. The report goes back over IPC.

import { createRequire } from 'node:module';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Database } from '../../src/index.js';
import { nodeFsNamed } from './workload.js';

const config = JSON.parse(process.argv[2]);
// samples: what the busy retries and inconsistent snapshots were, the first few of them.
const report = { role: config.role, w: config.w, commits: 0, busy: 0, reads: 0, inconsistent: 0, samples: [], errors: [] };
const isBusy = (e) => String(e?.code).startsWith('SQLITE_BUSY');
const describe = (e) => `${e.code ?? e.name}: ${e.message}`;

let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
});

function rollback(db) {
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // The error that got us here is the one reported.
  }
}

function write(db) {
  const bump = db.prepare('UPDATE counters SET n = n + 1 WHERE id = ?');
  const event = db.prepare('INSERT INTO events(writer, seq, counter) VALUES (?, ?, ?)');
  const { w, increments, counters } = config;
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
    } catch (e) {
      rollback(db);
      if (!isBusy(e)) throw e;
      report.busy++;
      const waited = Math.round(performance.now() - began);
      if (report.samples.length < 5) report.samples.push(`busy at seq ${seq} after ${waited} ms: ${describe(e)}`);
    }
  }
}

async function read(db) {
  const sum = db.prepare('SELECT sum(n) FROM counters').pluck();
  const events = db.prepare('SELECT count(*) FROM events').pluck();
  let previous = 0;
  while (!stopping) {
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
  const db =
    config.engine === 'native'
      ? new (createRequire(import.meta.url)('better-sqlite3'))(config.file, { timeout: 5000 })
      : new Database(config.file, { vfs: nodeFsNamed(config.locking), timeout: 5000 });
  if (config.role === 'writer') write(db);
  else await read(db);
  db.close();
} catch (e) {
  report.errors.push(describe(e));
}
process.send(report, () => process.disconnect());
