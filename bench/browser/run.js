// The browser benchmark (issue 9, item 5): ours on its `opfs` VFS against the official build's
// opfs-sahpool VFS and wa-sqlite's synchronous AccessHandlePoolVFS, and ours on its async
// `indexeddb` VFS (JSPI) against wa-sqlite's IDBBatchAtomicVFS (Asyncify), in one headless session of
// each browser (Chromium, then Firefox ESR; see test/browser/browsers.js). Every engine runs in
// fresh dedicated Workers (page.js, worker.js): a few that only measure init (cold: compile,
// VFS install, open, first query), then one for the workloads. Prints, per browser, ms per
// workload, ours / best OPFS peer and ours-indexeddb / wa-sqlite-idb; the last lines are the
// geometric means of those ratios over the five workloads.
//   node bench/browser/run.js [--quick] [--json FILE] [--engines ours,sqlite-wasm,wa-sqlite,ours-indexeddb,wa-sqlite-idb]
//   BROWSERS=firefox node bench/browser/run.js   (one browser)
// The JSON has { date, cpu, size, sizes, browsers: { <name>: { version, engines, summary } } }.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { browserNames, launchBrowser } from '../../test/browser/browsers.js';
import { startStaticServer } from '../../test/browser/static-server.js';
import { SIZES, WORKLOADS, median } from './workloads.js';
import { parseArgs } from '../args.js';

// Two groups, each ours against its peers on the same kind of storage.
const GROUPS = {
  opfs: { ours: 'ours', peers: ['sqlite-wasm', 'wa-sqlite'] },
  indexeddb: { ours: 'ours-indexeddb', peers: ['wa-sqlite-idb'] },
};
const ENGINES = Object.values(GROUPS).flatMap((g) => [g.ours, ...g.peers]);
const root = new URL('../../', import.meta.url);
const version = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8')).version;
const LABELS = {
  ours: () => `sqlite-component ${version('package.json')}`,
  'sqlite-wasm': () => `@sqlite.org/sqlite-wasm ${version('bench/node_modules/@sqlite.org/sqlite-wasm/package.json')}`,
  'wa-sqlite': () => `wa-sqlite ${version('bench/node_modules/wa-sqlite/package.json')}`,
  'ours-indexeddb': () => `sqlite-component ${version('package.json')} (indexeddb)`,
  'wa-sqlite-idb': () => `wa-sqlite ${version('bench/node_modules/wa-sqlite/package.json')} (async, IDB)`,
};


const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

const timeoutMs = (sizeName) => (sizeName === 'quick' ? 2 : 20) * 60_000;
const runWorker = (page, id, mode, sizeName) =>
  page.evaluate(([e, m, s, t]) => window.runWorker(e, m, s, t), [id, mode, sizeName, timeoutMs(sizeName)]);

// Init samples, one fresh Worker each, taken in turns so that drift in the machine's load
// falls on every engine alike. An engine whose init fails is not run further.
async function measureInits(page, ids, sizeName, size) {
  const engines = Object.fromEntries(ids.map((id) => [id, { label: LABELS[id](), init: { runs: [] } }]));
  for (let i = 0; i < size.inits; i++) {
    for (const id of ids.filter((x) => !engines[x].failed)) {
      const r = await runWorker(page, id, 'init', sizeName);
      if (r.error) engines[id].failed = r.error;
      else engines[id].init.runs.push(r.initMs);
      process.stderr.write(`${id}: init ${r.error ? `FAILED: ${r.error.message}` : `${r.initMs.toFixed(1)} ms`}\n`);
    }
  }
  for (const e of Object.values(engines)) e.init.ms = median(e.init.runs);
  return engines;
}

async function runWorkloads(page, id, sizeName, e) {
  process.stderr.write(`${id}: workloads\n`);
  const r = await runWorker(page, id, 'bench', sizeName);
  if (r.error) return { ...e, failed: r.error };
  const { sqlite, vfs, settings, leftover, results } = r;
  return { ...e, sqlite, vfs, settings, leftover, init: { ...e.init, benchWorkerMs: r.initMs }, results };
}

// Per group, ratios of ours to the fastest peer per row; geomean over the five workloads (not
// init). Every engine's answers must agree, and none may leave files in OPFS.
function summarize(engines) {
  const ran = Object.entries(engines).filter(([, e]) => e.results);
  const groups = Object.fromEntries(Object.entries(GROUPS).map(([name, group]) => [name, groupRatios(engines, ran, group)]));
  const mismatches = [];
  const [refId, ref] = ran[0] ?? [];
  for (const [id, e] of ran.slice(1)) {
    for (const n of WORKLOADS) {
      if (e.results[n].check !== ref.results[n].check) {
        mismatches.push(`${n}: ${id} ${e.results[n].check}, ${refId} ${ref.results[n].check}`);
      }
    }
  }
  const leftovers = ran.filter(([, e]) => e.leftover.length).map(([id, e]) => `${id} left in OPFS: ${e.leftover.join(', ')}`);
  return { ...groups.opfs, groups, mismatches, leftovers };
}

function groupRatios(engines, ran, group) {
  const peers = ran.filter(([id]) => group.peers.includes(id));
  const ours = engines[group.ours]?.results ? engines[group.ours] : null;
  const ms = (e, row) => (row === 'init' ? e.init.ms : e.results[row].ms);
  const ratios = {};
  for (const row of ['init', ...WORKLOADS]) {
    if (!ours || !peers.length) continue;
    const [bestId, best] = peers.reduce((b, p) => (ms(p[1], row) < ms(b[1], row) ? p : b));
    ratios[row] = { ratio: ms(ours, row) / ms(best, row), best: bestId };
  }
  const geo = WORKLOADS.every((n) => ratios[n]) ? geomean(WORKLOADS.map((n) => ratios[n].ratio)) : null;
  return { ratios, geomean: geo };
}

function printError(id, e, indent = '  ') {
  console.log(`${indent}${id}: ${e.name ?? 'Error'}: ${e.message}${e.code ? ` (code ${e.code})` : ''}${e.where ? ` at ${e.where}` : ''}`);
  if (e.stack) console.log(e.stack.split('\n').slice(1, 8).map((l) => `${indent}  ${l.trim()}`).join('\n'));
  if (e.cause) printError('cause', e.cause, `${indent}  `);
}

function printTable(engines, summary, header) {
  console.log(header);
  for (const [id, e] of Object.entries(engines)) {
    if (e.failed) printError(`${e.label}: FAILED`, e.failed);
    else console.log(`  ${id}: ${e.label}, SQLite ${e.sqlite}, VFS ${e.vfs}; ` +
      Object.entries(e.settings).map(([k, v]) => `${k}=${v}`).join(' '));
  }
  console.log('');
  const shown = Object.keys(engines).filter((id) => engines[id].results);
  const w = 14;
  const row = (label, cells) => console.log(label.padEnd(20) + cells.map((c) => c.padStart(w)).join(''));
  row('ms', [...shown, 'ours/best', 'idb/peer'].map((s) => s));
  const { opfs, indexeddb } = summary.groups;
  const ratioCell = (n) => (opfs.ratios[n] ? `${opfs.ratios[n].ratio.toFixed(2)} ${opfs.ratios[n].best === 'sqlite-wasm' ? 'S' : 'W'}` : '-');
  const idbCell = (n) => (indexeddb.ratios[n] ? indexeddb.ratios[n].ratio.toFixed(2) : '-');
  row('init (cold)', [...shown.map((id) => engines[id].init.ms.toFixed(1)), ratioCell('init'), idbCell('init')]);
  for (const n of WORKLOADS) row(n, [...shown.map((id) => engines[id].results[n].ms.toFixed(1)), ratioCell(n), idbCell(n)]);
  console.log('best peer: S = sqlite-wasm (opfs-sahpool), W = wa-sqlite (AccessHandlePoolVFS); idb/peer: ' +
    'ours-indexeddb / wa-sqlite-idb (IDBBatchAtomicVFS); init is not in the geomeans');
  for (const m of summary.mismatches) console.log(`MISMATCH ${m}`);
  for (const l of summary.leftovers) console.log(`LEFTOVER ${l}`);
  const g = (x) => (x == null ? 'n/a' : x.toFixed(2));
  console.log(`geomean ours/best-opfs-peer: ${g(opfs.geomean)}`);
  console.log(`geomean ours-indexeddb/wa-sqlite-idb: ${g(indexeddb.geomean)}`);
}

// One browser's session: the inits of every engine in turns, then each one's workloads.
async function benchBrowser(name, server, args, sizeName, size) {
  const browser = await launchBrowser(name);
  const engines = {};
  try {
    const page = await browser.newPage();
    // Worker log lines, what an engine prints inside its Worker (Playwright reports Workers'
    // console on the page too) and the browser's own errors go to stderr.
    page.on('console', (m) => process.stderr.write(`  ${m.type() === 'log' ? '' : `[${m.type()}] `}${m.text()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`  [pageerror] ${e.message}\n`));
    await page.goto(`${server.origin}/bench/browser/index.html`);
    await page.waitForFunction(() => typeof window.runWorker === 'function');
    // The session's first Worker and first OPFS access pay for the browser's own start-up.
    await page.evaluate(() => window.warmUpBrowser());
    process.stderr.write(`${name} ${browser.version}\n`);
    const ids = ENGINES.filter((id) => args.engines.includes(id));
    const measured = await measureInits(page, ids, sizeName, size);
    for (const id of ids) {
      engines[id] = measured[id].failed ? measured[id] : await runWorkloads(page, id, sizeName, measured[id]);
    }
  } finally {
    await browser.close();
  }
  return { version: browser.version, engines, summary: summarize(engines) };
}

const BROWSER_LABELS = { chromium: 'Chromium', firefox: 'Firefox ESR' };
const args = parseArgs(process.argv.slice(2), ENGINES);
const sizeName = args.quick ? 'quick' : 'full';
const size = SIZES[sizeName];
const browsers = {};
const server = await startStaticServer();
try {
  for (const name of browserNames) browsers[name] = await benchBrowser(name, server, args, sizeName, size);
} finally {
  await server.close();
}

if (args.json) {
  const doc = { date: new Date().toISOString(), cpu: cpus()[0].model, size: sizeName, sizes: size, browsers };
  writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
}
let failed = false;
for (const [name, { version, engines, summary }] of Object.entries(browsers)) {
  const header = `sqlite-component browser bench (${sizeName}: ${size.rows} rows, ${size.gets} point gets, ` +
    `${size.autocommits} autocommit inserts), median of ${size.runs} run(s) after ${size.warmups} warm-up; ` +
    `init: median of ${size.inits} fresh Worker(s)\n${BROWSER_LABELS[name]} ${version}, ${cpus().length} x ${cpus()[0].model}`;
  printTable(engines, summary, header);
  console.log('');
  failed ||= Object.values(engines).some((e) => e.failed) || summary.mismatches.length > 0 || summary.leftovers.length > 0;
}
process.exitCode = failed ? 1 : 0;
