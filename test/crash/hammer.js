#!/usr/bin/env node
// The N-process hammer: `npm run -s hammer -- [--processes P] [--increments K] [--readers R]`.
// P writer processes each commit K increments of shared counters (plus one event row per
// increment) into one node-fs database while R reader processes check that every snapshot they
// read is consistent (hammer-worker.js). At the end native SQLite checks the file: integrity ok,
// every counter exactly at its expected value, every event there once. Any lost update, torn
// snapshot, I/O error or corruption fails the run (exit status 1), and so does a writer of ours
// (native locks) starved past its 5 s busy timeout; other SQLITE_BUSY is retried and counted.
// Printed: each increment's wait, median, p99 and longest, and each writer's longest.
//
// Options: --processes P (default 4), --increments K (default 500), --readers R (default 2),
// --counters C (default 8: few enough that writers collide on them), --engine native (the same
// load through better-sqlite3, to compare with) or mixed (workers alternate: ours, native, …),
// --locking fallback (node-fs's lock directory instead of its native locks), --journal M (the
// file's journal mode, default delete; wal: readers keep snapshots while writers commit, writers
// checkpoint every 50 pages, and reader 0 also runs wal_checkpoint, PASSIVE, FULL, RESTART and
// TRUNCATE in turn; --autocheckpoint N sets the writers' wal_autocheckpoint instead, and with 0
// and --no-checkpoints the WAL only grows, its index past the first 32 KiB region after some
// 4000 frames), --deadline S (default 300: then every worker still running is killed and
// the run fails, rather than hang on a lock nobody releases).

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Database } from '../../src/node.js';
import { nodeFsNamed } from './workload.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const WORKER = new URL('./hammer-worker.js', import.meta.url).pathname;

function options() {
  const { values } = parseArgs({
    options: {
      processes: { type: 'string', default: '4' },
      increments: { type: 'string', default: '500' },
      readers: { type: 'string', default: '2' },
      counters: { type: 'string', default: '8' },
      engine: { type: 'string', default: 'ours' },
      deadline: { type: 'string', default: '300' },
      locking: { type: 'string', default: 'native' },
      journal: { type: 'string', default: 'delete' },
      autocheckpoint: { type: 'string', default: '50' },
      'no-checkpoints': { type: 'boolean', default: false },
    },
  });
  if (!['native', 'fallback'].includes(values.locking)) {
    console.error('hammer: Expected --locking to be native or fallback');
    process.exit(2);
  }
  if (!['ours', 'native', 'mixed'].includes(values.engine)) {
    console.error('hammer: Expected --engine to be ours, native or mixed');
    process.exit(2);
  }
  if (!['delete', 'truncate', 'persist', 'wal'].includes(values.journal)) {
    console.error('hammer: Expected --journal to be delete, truncate, persist or wal');
    process.exit(2);
  }
  if (values.locking === 'fallback' && (values.engine !== 'ours' || values.journal === 'wal')) {
    console.error('hammer: --locking fallback needs --engine ours (native SQLite does not see it) and no WAL');
    process.exit(2);
  }
  const out = {
    engine: values.engine, locking: values.locking, journal: values.journal, checkpoints: !values['no-checkpoints'],
  };
  const numbers = [['processes', 1], ['increments', 1], ['readers', 0], ['counters', 1], ['deadline', 1], ['autocheckpoint', 0]];
  for (const [name, min] of numbers) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) {
      console.error(`hammer: Expected --${name} to be an integer ≥ ${min}`);
      process.exit(2);
    }
    out[name] = n;
  }
  return out;
}

// Each writer's wait per increment (first BEGIN IMMEDIATE to COMMIT): median, p99 and the longest
// over all writers, then each writer's longest.
function writerWaits(reports) {
  const all = reports.flatMap((r) => r.waits ?? []).sort((a, b) => a - b);
  if (!all.length) return 'none';
  const at = (q) => all[Math.min(all.length - 1, Math.floor(q * all.length))];
  const longest = reports.map((r) => {
    const most = Math.max(0, ...(r.waits ?? []));
    return `${r.w}: ${most.toFixed(0)} (increment ${(r.waits ?? []).indexOf(most) + 1})`;
  }).join(', ');
  return `median ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(0)} ms, longest ${all.at(-1).toFixed(0)} ms; each writer's longest (ms) ${longest}`;
}

// Starts a worker; resolves with its report, or with an error report if it died without one.
// `onReady` is called once it is ready to start (or gone without being so).
function startWorker(config, onReady) {
  const child = fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let report = null;
  let readied = false;
  const ready = () => {
    if (!readied) onReady();
    readied = true;
  };
  child.on('message', (m) => {
    if (m?.ready) ready();
    else report = m;
  });
  child.on('exit', ready);
  const done = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      const last = stderr.trim().split('\n').pop();
      resolve(report ?? { role: config.role, w: config.w, commits: 0, busy: 0, reads: 0, inconsistent: 0, samples: [],
        errors: [`exited with ${signal ?? code} and no report${last ? `: ${last}` : ''}`] });
    }),
  );
  return { child, done };
}

const opts = options();
const { processes, increments, readers, counters, engine, deadline, locking, journal, autocheckpoint, checkpoints } = opts;
// Worker i's engine: --engine mixed alternates, starting with ours (writers and readers alike).
const engineOf = (i) => (engine === 'mixed' ? (i % 2 === 0 ? 'ours' : 'native') : engine);
const dir = mkdtempSync(join(tmpdir(), 'hammer-'));
const file = join(dir, 'hammer.db');
const failures = [];
const notes = []; // what is allowed but worth seeing: busy retries
const started = performance.now();
try {
  const setup = new Database(file, { vfs: nodeFsNamed(locking) });
  setup.pragma(`journal_mode = ${journal}`);
  setup.exec(`
    CREATE TABLE counters(id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    CREATE TABLE events(writer INTEGER, seq INTEGER, counter INTEGER, PRIMARY KEY(writer, seq));
  `);
  const add = setup.prepare('INSERT INTO counters(id, n) VALUES (?, 0)');
  for (let id = 1; id <= counters; id++) add.run(id);
  setup.close();

  const writerRuns = [];
  const readerRuns = [];
  // Every process starts its work at once, when all are ready.
  let waitingFor = processes + readers;
  const onReady = () => {
    if (--waitingFor > 0) return;
    for (const { child } of [...writerRuns, ...readerRuns]) if (child.connected) child.send('go');
  };
  for (let w = 0; w < processes; w++) {
    writerRuns.push(
      startWorker({ role: 'writer', file, w, increments, counters, engine: engineOf(w), locking, journal, autocheckpoint }, onReady),
    );
  }
  for (let r = 0; r < readers; r++) {
    readerRuns.push(startWorker({ role: 'reader', file, w: r, engine: engineOf(r + 1), locking, journal, checkpoints }, onReady));
  }
  // How long the WAL grew (its index needs a second 32 KiB region past 4062 frames).
  let walFrames = 0;
  const walWatch = setInterval(() => {
    try {
      walFrames = Math.max(walFrames, Math.floor((statSync(`${file}-wal`).size - 32) / (4096 + 24)));
    } catch {
      // No WAL at this moment.
    }
  }, 50);
  const watchdog = setTimeout(() => {
    failures.push(`still running after ${deadline} s: killed`);
    for (const { child } of [...writerRuns, ...readerRuns]) child.kill('SIGKILL');
  }, deadline * 1000);
  const writerReports = await Promise.all(writerRuns.map((run) => run.done));
  for (const { child } of readerRuns) if (child.connected) child.send('stop');
  const readerReports = await Promise.all(readerRuns.map((run) => run.done));
  clearTimeout(watchdog);
  clearInterval(walWatch);
  const seconds = (performance.now() - started) / 1000;

  let busy = 0;
  let reads = 0;
  let inconsistent = 0;
  const checkpointsRun = [];
  for (const [how, n] of Object.entries(readerReports[0]?.checkpoints ?? {})) checkpointsRun.push(`${how} ${n}`);
  for (const r of [...writerReports, ...readerReports]) {
    busy += r.busy;
    reads += r.reads;
    inconsistent += r.inconsistent;
    for (const e of r.errors) failures.push(`${r.role} ${r.w}: ${e}`);
    for (const s of r.samples) (s.startsWith('busy') ? notes : failures).push(`${r.role} ${r.w}: ${s}`);
  }
  const commits = writerReports.reduce((n, r) => n + r.commits, 0);
  const waits = writerWaits(writerReports);
  // Fairness: no writer of ours waits out its busy timeout while the others commit (node-fs's
  // native locks try again all through the busy handler's sleep). Native writers (better-sqlite3)
  // and the fallback's lock directory wake only at the end of each sleep and may starve: counted
  // as busy retries, not failed.
  for (const r of writerReports) {
    if (engineOf(r.w) === 'ours' && locking === 'native' && r.timedOut) {
      failures.push(`writer ${r.w} starved: ${r.timedOut} increments waited out the busy timeout`);
    }
  }

  // What the file must hold: worker w's increment `seq` went to counter ((w + seq) % C) + 1.
  const want = new Map();
  for (let w = 0; w < processes; w++) {
    for (let seq = 1; seq <= increments; seq++) {
      const id = ((w + seq) % counters) + 1;
      want.set(id, (want.get(id) ?? 0) + 1);
    }
  }
  let total = null;
  let events = null;
  let mode = null;
  const native = (() => {
    try {
      return new NativeDatabase(file, { timeout: 5000 });
    } catch (e) {
      failures.push(`native SQLite cannot open the file: ${e.code ?? e.name}: ${e.message}`);
      return null;
    }
  })();
  if (native) {
    try {
      mode = native.pragma('journal_mode', { simple: true });
      if (mode !== journal) failures.push(`the file's journal mode is ${mode}, expected ${journal}`);
      const check = native.pragma('integrity_check').map((r) => r.integrity_check);
      if (check.join() !== 'ok') failures.push(`integrity_check: ${check.slice(0, 3).join('; ')}`);
      total = native.prepare('SELECT sum(n) FROM counters').pluck().get();
      events = native.prepare('SELECT count(*) FROM events').pluck().get();
      for (const { id, n } of native.prepare('SELECT id, n FROM counters').all()) {
        if (n !== (want.get(id) ?? 0)) failures.push(`counter ${id} is ${n}, expected ${want.get(id) ?? 0}`);
      }
      for (const { writer, n } of native.prepare('SELECT writer, count(*) AS n FROM events GROUP BY writer').all()) {
        if (n !== increments) failures.push(`writer ${writer} has ${n} events, expected ${increments}`);
      }
    } catch (e) {
      failures.push(`native SQLite: ${e.code ?? e.name}: ${e.message}`);
    } finally {
      native.close();
    }
  }
  const expected = processes * increments;
  if (total !== expected) failures.push(`the counters sum to ${total}, expected ${expected}`);
  if (events !== expected) failures.push(`${events} events, expected ${expected}`);

  const how =
    (engine === 'native' ? ' (better-sqlite3)' : engine === 'mixed' ? ' (ours and better-sqlite3)' : '') +
    (locking === 'fallback' ? ' (fallback locking)' : '') +
    (journal === 'delete' ? '' : ` (${journal})`);
  console.log(
    `hammer${how}: ${processes} writers × ${increments} increments, ${readers} readers, ${counters} counters: ` +
      `${seconds.toFixed(1)} s`,
  );
  console.log(`commits reported ${commits}; counters sum ${total}, events ${events}, expected ${expected}`);
  console.log(`reader snapshots ${reads}, inconsistent ${inconsistent}; SQLITE_BUSY retries ${busy}`);
  console.log(`writer waits: ${waits}`);
  if (journal === 'wal') {
    console.log(`checkpoints by reader 0: ${checkpointsRun.join(', ') || 'none'}; the WAL grew to ${walFrames} frames`);
  }
} catch (e) {
  failures.push(`hammer: ${e.stack ?? e}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const n of notes.slice(0, 10)) console.log(`  ${n}`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
if (failures.length > 20) console.log(`  … and ${failures.length - 20} more`);
console.log(failures.length ? `FAILED: ${failures.length} problems` : 'ok');
process.exitCode = failures.length ? 1 : 0;
