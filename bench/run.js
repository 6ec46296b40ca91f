// Compares sqlite-component with native and wasm SQLite engines (issue 4). This parent process
// loads no engine: it starts one child per engine for the workloads and one per startup sample,
// then prints milliseconds, ratios to better-sqlite3, geometric means, peak RSS and wasm sizes.
//   node bench/run.js [--quick] [--json FILE] [--engines a,b,...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIZES, median } from './workloads.js';
import { parseArgs } from './args.js';

const BASELINE = 'better-sqlite3';
const ENGINES = [BASELINE, 'ours', 'sqlite-wasm', 'wa-sqlite', 'sqljs'];
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

function parseBenchArgs(argv) {
  const args = parseArgs(argv, ENGINES);
  if (!args.engines.includes(BASELINE)) args.engines.unshift(BASELINE);
  return args;
}

// A child that crashes is a bench failure; one that reports { skipped } is not.
function child(args) {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const failed = { failed: `child ${args.join(' ')} exited with ${r.status ?? r.signal}` };
  if (r.status !== 0) return failed;
  // An engine may print to stdout itself; the child's answer is always the last line.
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return failed;
  }
}

const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

function measureStartup(engine, size) {
  const samples = [];
  // The first start only warms the OS file cache, as a warm-up run does for the other workloads.
  for (let i = 0; i <= size.startups; i++) {
    const r = child(['startup', engine]);
    if (r.skipped || r.failed) return r;
    if (i > 0) samples.push(r.ms);
  }
  return { ms: median(samples), runs: samples };
}

function runEngine(engine, sizeName, dir) {
  process.stderr.write(`${engine}:\n`);
  const r = child(['workloads', engine, sizeName, dir]);
  if (r.skipped || r.failed) return r;
  const startup = measureStartup(engine, SIZES[sizeName]);
  if (startup.failed) return startup;
  r.results.startup = { ms: startup.ms, runs: startup.runs, check: '' };
  process.stderr.write(`  ${r.label.padEnd(26)} ${'startup'.padEnd(16)} ${startup.ms.toFixed(1)} ms\n`);
  return r;
}

// The workloads the goal's geometric mean is taken over: the six in-memory ones (1-6). The
// file workloads and startup are reported beside it, not folded into it.
const GEOMEAN_WORKLOADS = ['insert-txn', 'select-all', 'point-get', 'aggregate', 'update-index', 'blob'];

// Ratios to the baseline, and their geometric mean over GEOMEAN_WORKLOADS.
function summarize(engines) {
  const ran = Object.entries(engines).filter(([, e]) => e.results);
  const base = engines[BASELINE].results;
  const names = Object.keys(base);
  const common = GEOMEAN_WORKLOADS.filter((n) => ran.every(([, e]) => e.results[n]));
  const mismatches = [];
  for (const [id, e] of ran) {
    e.ratios = {};
    for (const [n, r] of Object.entries(e.results)) {
      e.ratios[n] = r.ms / base[n].ms;
      if (r.check !== base[n].check) mismatches.push(`${id} ${n}: ${r.check} (${BASELINE}: ${base[n].check})`);
    }
    // None of the geomean's workloads ran (BENCH_WORKLOADS left them out): no geomean.
    e.geomean = common.length ? geomean(common.map((n) => e.ratios[n])) : null;
  }
  const ours = engines.ours?.geomean;
  const peers = ran.filter(([id, e]) => id !== 'ours' && e.wasmGzipBytes);
  const best = peers.sort(([, a], [, b]) => a.geomean - b.geomean)[0];
  return {
    names, common, mismatches,
    oursVsBaseline: ours ?? null,
    bestWasmPeer: best?.[0] ?? null,
    oursVsBestWasmPeer: ours && best ? ours / best[1].geomean : null,
  };
}

function printTable(engines, summary, header) {
  const ids = Object.keys(engines);
  const w = 17;
  const row = (label, cells) => console.log(label.padEnd(18) + cells.map((c) => c.padStart(w)).join(''));
  const label = (id) => engines[id].label ?? id;
  console.log(header);
  for (const id of ids) {
    const e = engines[id];
    console.log(`  ${label(id)}: ${e.sqlite ? `SQLite ${e.sqlite}` : e.skipped ? `skipped (${e.skipped})` : `FAILED (${e.failed})`}`);
  }
  console.log('');
  const shown = ids.filter((id) => engines[id].results);
  row('ms (x baseline)', shown.map((id) => label(id).split(' ')[0]));
  for (const n of summary.names) {
    row(n, shown.map((id) => {
      const r = engines[id].results[n];
      if (!r) return '-';
      return id === BASELINE ? r.ms.toFixed(1) : `${r.ms.toFixed(1)} (${engines[id].ratios[n].toFixed(2)}x)`;
    }));
  }
  row('geomean *', shown.map((id) => (engines[id].geomean == null ? '-' : `${engines[id].geomean.toFixed(2)}x`)));
  row('peak RSS MiB', shown.map((id) => (engines[id].maxRssKB / 1024).toFixed(0)));
  row('wasm gzip kB', shown.map((id) => (engines[id].wasmGzipBytes ? (engines[id].wasmGzipBytes / 1000).toFixed(0) : '-')));
  console.log(`* geomean of the ratios over: ${summary.common.join(', ')}; best wasm peer: ${summary.bestWasmPeer ?? 'none'}`);
  for (const m of summary.mismatches) console.log(`MISMATCH ${m}`);
  const fmt = (x) => (x == null ? 'n/a' : x.toFixed(2));
  console.log(`geomean ours/better-sqlite3: ${fmt(summary.oursVsBaseline)}; ours/best-wasm-peer: ${fmt(summary.oursVsBestWasmPeer)}`);
}

const args = parseBenchArgs(process.argv.slice(2));
const sizeName = args.quick ? 'quick' : 'full';
const size = SIZES[sizeName];
const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-bench-'));
const engines = {};
try {
  for (const id of args.engines) engines[id] = runEngine(id, sizeName, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (!engines[BASELINE].results) {
  console.error(`bench: the baseline ${BASELINE} did not run: ${engines[BASELINE].skipped ?? engines[BASELINE].failed}`);
  process.exit(1);
}
const summary = summarize(engines);
const header = `sqlite-component bench (${sizeName}: ${size.rows} rows), median of ${size.runs} run(s) after ` +
  `${size.warmups} warm-up; Node ${process.version}, ${cpus().length} x ${cpus()[0].model}`;
if (args.json) {
  const doc = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0].model, size: sizeName, sizes: size, engines, summary };
  writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
}
printTable(engines, summary, header);
const failed = Object.values(engines).some((e) => e.failed) || summary.mismatches.length > 0;
process.exitCode = failed ? 1 : 0;
