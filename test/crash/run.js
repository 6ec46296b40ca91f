#!/usr/bin/env node
// The crash harness: `npm run -s crash-test -- [options]`. Runs trials that crash writers of
// one node-fs database and judges what survives with native SQLite (workload.js):
//   kill trials   writer processes SIGKILLed at random moments or at chosen VFS calls
//                 (kill-trial.js): what a crashed process leaves, under concurrency;
//   power trials  a simulated power loss under one writer (power-trial.js): only what was
//                 fsynced — file data and directory entries — is sure to survive.
//
// Options:
//   --trials N        how many trials (default 20)
//   --kind K          mixed (default: each trial's seed picks kill or power), kill or power;
//   --kill, --power-loss   short for --kind kill / --kind power
//   --processes P     writer processes in a kill trial (default 3)
//   --seed S          base seed (default: from the clock); trial i has seed S + i, and
//                     `--seed <trial seed> --trials 1` replays it (exactly, for power trials)
//   --journal M       force journal mode delete, truncate, persist or wal (default: one of the
//                     first three, drawn per trial; wal only when asked for)
//   --locking L       how node-fs locks in kill trials: native (default) or fallback (the lock
//                     directory, whose entries of killed writers must be recovered; not with
//                     wal, which needs native locks to share its index)
//   --engine E        the writers of kill trials: ours (default), native (better-sqlite3, all
//                     of them) or mixed (each drawn; at least one ours); native locking only
//   --break F         a deliberate fault, to see the harness fail: `sync` (power trials: the
//                     wrapper drops every xSync) or `log` (writers log before COMMIT)
//   --verbose         print the judge's notes for every trial, not only failing ones
//
// The last line is always `N trials, N corrupt, N lost commits, N half-applied`; the exit
// status is 1 when any of them, or any writer error, is not zero.

import { parseArgs } from 'node:util';
import { killTrial } from './kill-trial.js';
import { powerLossTrial } from './power-trial.js';

function options() {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '20' },
      kind: { type: 'string', default: 'mixed' },
      kill: { type: 'boolean', default: false },
      'power-loss': { type: 'boolean', default: false },
      processes: { type: 'string', default: '3' },
      seed: { type: 'string' },
      journal: { type: 'string' },
      locking: { type: 'string', default: 'native' },
      engine: { type: 'string', default: 'ours' },
      break: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const fail = (message) => {
    console.error(`crash-test: ${message}`);
    process.exit(2);
  };
  const count = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) fail(`Expected --${name} to be an integer ≥ ${min}`);
    return n;
  };
  let kind = values.kind;
  if (values.kill) kind = 'kill';
  if (values['power-loss']) kind = 'power';
  if (values.kill && values['power-loss']) kind = 'mixed';
  if (!['mixed', 'kill', 'power'].includes(kind)) fail('Expected --kind to be mixed, kill or power');
  if (values.journal && !['delete', 'truncate', 'persist', 'wal'].includes(values.journal)) {
    fail('Expected --journal to be delete, truncate, persist or wal');
  }
  if (values.break && !['sync', 'log'].includes(values.break)) fail('Expected --break to be sync or log');
  if (!['native', 'fallback'].includes(values.locking)) fail('Expected --locking to be native or fallback');
  if (!['ours', 'native', 'mixed'].includes(values.engine)) fail('Expected --engine to be ours, native or mixed');
  if (values.locking === 'fallback' && values.journal === 'wal') {
    fail('WAL shares its index only with native locks: --journal wal goes without --locking fallback');
  }
  if (values.locking === 'fallback' && values.engine !== 'ours') {
    fail('native SQLite does not see the fallback lock directory: --engine ours with --locking fallback');
  }  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) fail('Expected --seed to be a whole number');
  return {
    trials: count('trials', 1),
    processes: count('processes', 1),
    kind,
    seed: values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000_000,
    journal: values.journal ?? null,
    locking: values.locking,
    engine: values.engine,
    brk: values.break ?? null,
    verbose: values.verbose,
  };
}

function describe(r) {
  const bad = [];
  if (r.corrupt) bad.push(`CORRUPT (${r.corrupt.split('\n').join('; ')})`);
  if (r.lost) bad.push(`${r.lost} lost`);
  if (r.half) bad.push(`${r.half} half-applied`);
  if (r.errors?.length) bad.push(`${r.errors.length} writer errors`);
  return bad.length ? bad.join(', ') : 'ok';
}

const opts = options();
console.log(
  `crash-test: ${opts.trials} trials, kind ${opts.kind}, ${opts.processes} processes per kill trial` +
    `${opts.locking === 'native' ? '' : ` (${opts.locking} locking)`}` +
    `${opts.engine === 'ours' ? '' : ` (${opts.engine} engines)`}${opts.journal ? `, journal ${opts.journal}` : ''}` +
    `, seed ${opts.seed}` +
    (opts.brk ? `, BREAK ${opts.brk} (deliberate fault: failures expected)` : ''),
);

const totals = { corrupt: 0, lost: 0, half: 0, errors: 0, busy: 0, rolledBack: 0 };
const time = { kill: [], power: [] };
for (let i = 0; i < opts.trials; i++) {
  const seed = opts.seed + i;
  const kind = opts.kind === 'mixed' ? (seed % 2 === 0 ? 'kill' : 'power') : opts.kind;
  // --break sync is a power-trial fault: a kill trial has nothing to drop.
  const brk = opts.brk === 'sync' && kind === 'kill' ? null : opts.brk;
  const r =
    kind === 'kill'
      ? await killTrial({
          seed, processes: opts.processes, brk, journal: opts.journal, locking: opts.locking, engine: opts.engine,
        })
      : powerLossTrial({ seed, brk, journal: opts.journal });
  time[kind].push(r.ms);
  if (r.corrupt) totals.corrupt++;
  totals.lost += r.lost;
  totals.half += r.half;
  totals.errors += r.errors?.length ?? 0;
  totals.busy += r.busy ?? 0;
  totals.rolledBack += r.rolledBack ?? 0;
  const verdict = describe(r);
  const back = r.rolledBack ? ` (${r.rolledBack} rolled back)` : '';
  console.log(`trial ${i + 1} seed ${seed} ${r.label}: ${verdict}; ${r.commits} commits${back}, ${(r.ms / 1000).toFixed(1)} s`);
  if (verdict !== 'ok' || opts.verbose) {
    for (const line of [...(r.errors ?? []), ...r.notes]) console.log(`    ${line}`);
  }
}

const mean = (list) => (list.reduce((a, b) => a + b, 0) / list.length / 1000).toFixed(1);
for (const kind of ['kill', 'power']) {
  if (time[kind].length) console.log(`${kind} trials: ${time[kind].length}, ${mean(time[kind])} s each on average`);
}
if (totals.busy) console.log(`${totals.busy} transactions retried after SQLITE_BUSY`);
if (totals.rolledBack) console.log(`${totals.rolledBack} commits rolled back by power loss under WAL synchronous=NORMAL (allowed)`);
if (totals.errors) console.log(`${totals.errors} writer errors`);
console.log(`${opts.trials} trials, ${totals.corrupt} corrupt, ${totals.lost} lost commits, ${totals.half} half-applied`);
process.exitCode = totals.corrupt || totals.lost || totals.half || totals.errors ? 1 : 0;
