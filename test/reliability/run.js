#!/usr/bin/env node
// The reliability checks, one command: `npm run -s reliability -- [options]`.
//
//   io-faults      a VFS call failing at every point of a workload, on memory and node-fs
//   oom            an allocation failing at every point of a workload (test/28's, node:test)
//   corrupt-files  damaged databases, opened by ours and by native SQLite
//   sql-diff       generated SQL, run by ours and by native SQLite side by side
//   regressions    the differences sql-diff found, kept as cases
//   crash-test     writers killed, and power lost, mid-transaction (test/crash/run.js)
//   hammer         processes writing one database at once, rollback and WAL (test/crash/hammer.js)
//   hammer-fair    ten writers (--full: sixteen) at once: none may wait out its busy timeout
//
// Each runs in a child process with a time bound and prints one line per check with its
// counts; the last line is `N checks, N failed`, and the exit status 1 when any failed.
// corrupt-files, sql-diff and its regressions run under Node 24 with better-sqlite3 13 (SQLite
// 3.54.1, as ours: scripts/node24.sh installs them); where that cannot be (not linux-x64), under
// this Node against better-sqlite3 12.9 (3.53.0), and differences are then listed, not failed.
//
// Sizes: CI by default (`npm test` runs this, a few minutes on 2 cores); --full for the long
// run (every fault point, 20,000 corrupt variants, 1,000,000 statements, 100 crash trials,
// bigger hammers). Or each on its own: --faults all|K (calls tried per method and kind),
// --variants N, --statements N, --trials N, --increments N; --seed S for all of them (the CI
// run's seeds are fixed, so it is reproducible); --only a,b (check names); --verbose shows
// every child's output; --timeout S bounds each child (default 900, 14400 with --full).

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { options } from './common.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

const opts = options({
  full: false, faults: '', variants: 0, statements: 0, trials: 0, increments: 0, seed: -1, only: '', verbose: false, timeout: 0,
});
const full = opts.full;
const seedArgs = (fallback) => ['--seed', String(opts.seed >= 0 ? opts.seed : fallback)];
const size = (given, ci, big) => String(given || (full ? big : ci));
const faults = opts.faults || (full ? 'all' : '6');
const timeout = (opts.timeout || (full ? 14400 : 900)) * 1000;

// Node 24 and the same-version oracle, where they can be had.
function node24() {
  const run = spawnSync('bash', [path.join(root, 'scripts/node24.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) return null;
  return {
    command: run.stdout.trim(),
    env: { ...process.env, NODE_OPTIONS: `--import=${path.join(root, 'test/node24/oracle-hook.mjs')}` },
  };
}

const checks = [
  {
    name: 'io-faults',
    args: () => [here('io-faults.js'), ...(faults === 'all' ? ['--all'] : ['--sample', faults]), ...seedArgs(1)],
  },
  {
    // test/28 under node:test, trying every 7th allocation (npm test's own run strides
    // otherwise), or every one with --full.
    name: 'oom',
    args: () => ['--test', path.join(root, 'test/28.memory-limit.test.js')],
    env: () => ({ OOM_EVERY: full ? '1' : '7' }),
    line: (out, status) => {
      const counts = out.match(/oom: (\d+) failure points up to allocation (\d+); errors: ([^;]*); aborts: (\d+)/);
      const summary = counts ? `${counts[1]} allocations failed (up to the ${counts[2]}th), errors ${counts[3]}, aborts ${counts[4]}` : 'no counts';
      return `check oom: ${summary}${status || !counts ? ' FAILED' : ''}`;
    },
  },
  {
    name: 'corrupt-files', sameVersion: true,
    args: () => [here('corrupt-files.js'), '--variants', size(opts.variants, 1000, 20000), ...seedArgs(18)],
  },
  {
    name: 'sql-diff', sameVersion: true,
    args: () => [here('sql-diff.js'), '--statements', size(opts.statements, 50000, 1000000), ...seedArgs(1)],
  },
  { name: 'regressions', sameVersion: true, args: () => [here('sql-diff.js'), '--regressions'] },
  {
    name: 'crash-test',
    args: () => [path.join(root, 'test/crash/run.js'), '--trials', size(opts.trials, 10, 100), ...seedArgs(1800)],
    // Its last line: `N trials, N corrupt, N lost commits, N half-applied`.
    line: (out, status) => `check crash-test: ${out.trim().split('\n').at(-1)}${status ? ' FAILED' : ''}`,
  },
  {
    name: 'hammer',
    args: () => [path.join(root, 'test/crash/hammer.js'), '--processes', '3', '--increments', size(opts.increments, 100, 2000), '--readers', '2'],
    line: hammerLine('hammer'),
  },
  {
    name: 'hammer-wal',
    args: () => [path.join(root, 'test/crash/hammer.js'), '--journal', 'wal', '--engine', 'mixed', '--processes', '3',
      '--increments', size(opts.increments, 100, 2000), '--readers', '2'],
    line: hammerLine('hammer wal'),
  },
  {
    // Fairness: many writers on one file, each must commit within its busy timeout (hammer.js
    // fails a writer of ours that waited one out).
    name: 'hammer-fair',
    args: () => [path.join(root, 'test/crash/hammer.js'), '--processes', full ? '16' : '10',
      '--increments', size(opts.increments && Math.ceil(opts.increments / 4), 40, 300), '--readers', '1'],
    line: hammerLine('hammer fairness'),
  },
  {
    // The guest's C++ and SQLite built natively with ASan, UBSan and libFuzzer (scripts/fuzz.sh,
    // fuzz/): a `check fuzz-<target>` line per target, fuzzed 30 s each (600 with --full), or
    // `check fuzz: skipped (why)` where clang-19's fuzzer runtime is missing. The script is
    // bash; node only starts it, as every check here is a node child.
    name: 'fuzz',
    args: () => ['-e', `process.exitCode = require('node:child_process').spawnSync('bash', ['scripts/fuzz.sh', '--seconds', '${full ? 600 : 30}'], { stdio: 'inherit' }).status ?? 1`],
  },
];

// The hammer's counts, from its report: commits, counters, snapshots, and its verdict.
function hammerLine(name) {
  return (out, status) => {
    const sum = out.match(/commits reported (\d+); counters sum (\d+), events (\d+), expected (\d+)/);
    const snapshots = out.match(/reader snapshots (\d+), inconsistent (\d+)/);
    const counts = sum ? `${sum[1]} commits, counters ${sum[2]}, events ${sum[3]} of ${sum[4]} expected` : 'no totals';
    const reads = snapshots ? `, ${snapshots[1]} snapshots, ${snapshots[2]} inconsistent` : '';
    const waits = out.match(/writer waits: median ([\d.]+) ms, p99 (\d+) ms, longest (\d+) ms/);
    const wait = waits ? `, waits median ${waits[1]} ms, p99 ${waits[2]} ms, longest ${waits[3]} ms` : '';
    const verdict = out.trim().split('\n').at(-1);
    return `check ${name}: ${counts}${reads}${wait}; ${verdict}${status || verdict !== 'ok' ? ' FAILED' : ''}`;
  };
}

function runChild(check, runtime) {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = { ...runtime.env, ...check.env?.() };
    const child = spawn(runtime.command, check.args(), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (opts.verbose) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (opts.verbose) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ out, err, status: signal ?? code, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const wanted = opts.only ? new Set(opts.only.split(',')) : null;
const needsNewer = checks.some((c) => c.sameVersion && (!wanted || wanted.has(c.name)));
const newer = needsNewer ? node24() : null;
if (needsNewer && !newer) console.log('reliability: no Node 24 oracle here (linux-x64 only): comparing with better-sqlite3 12.9 (SQLite 3.53.0)');
const here20 = { command: process.execPath, env: process.env };

let total = 0;
let failed = 0;
const started = Date.now();
for (const check of checks) {
  if (wanted && !wanted.has(check.name)) continue;
  const r = await runChild(check, check.sameVersion && newer ? newer : here20);
  let lines = check.line ? [check.line(r.out, r.status)] : r.out.split('\n').filter((l) => l.startsWith('check '));
  if (typeof r.status === 'string') lines = [`check ${check.name}: killed (${r.status}) after ${r.seconds.toFixed(0)} s FAILED`];
  else if (!lines.length) lines = [`check ${check.name}: printed no result (exit status ${r.status}) FAILED`];
  else if (r.status !== 0 && !lines.some((l) => l.endsWith(' FAILED'))) lines.push(`check ${check.name}: exit status ${r.status} FAILED`);
  let bad = false;
  for (const line of lines) {
    total++;
    if (line.endsWith(' FAILED')) {
      failed++;
      bad = true;
    }
    console.log(line.replace(/^check /, ''));
  }
  if (bad && !opts.verbose) {
    // What the child said, to see why.
    const detail = `${r.out}${r.err}`.split('\n').filter((l) => l && !l.startsWith('check ')).slice(-40);
    for (const line of detail) console.log(`    ${line}`);
  }
}
console.log(`reliability: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${total} checks, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
