// One engine in one process, so that its peak RSS is its own and no module cache carries over.
//   node child.js workloads ENGINE SIZE TMPDIR       every workload: warm-up, then timed runs
//   node child.js cold ENGINE SIZE TMPDIR WORKLOAD   one workload's first run, on a fresh database
//   node child.js open ENGINE COUNT                  COUNT databases open at once, one query each
// (Startup is bench/startup.js, which imports nothing but the engine.)
// Prints one JSON line on stdout; progress goes to stderr. An engine that cannot be imported or
// opened is reported as skipped, not as a failure, so a missing build does not hide the others.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SIZES, makeWorkloads, median } from './workloads.js';

const [mode, engine, ...rest] = process.argv.slice(2);

function reply(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

// Only a failure to load or open the engine counts as "skipped"; anything later is a real error.
async function load() {
  try {
    const adapter = await import(`./adapters/${engine}.js`);
    return { adapter, db: await adapter.open() };
  } catch (err) {
    reply({ skipped: `${err.name}: ${err.message}` });
    return process.exit(0);
  }
}

// Whether this engine runs workload w at all: a row it does not run is a blank in the table.
function runs(adapter, w) {
  if (w.file ? !adapter.hasFiles : adapter.memoryRows === false) return false;
  return !w.needs || Boolean(adapter.capabilities?.includes(w.needs));
}

function freshFile(tmpdir) {
  const file = join(tmpdir, `${engine}.db`);
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  return file;
}

async function timed(w, db) {
  await w.setup?.(db);
  globalThis.gc?.();
  const start = performance.now();
  const result = await w.run(db);
  return { ms: performance.now() - start, result };
}

async function runWorkload(adapter, memoryDb, w, size, tmpdir) {
  const times = [];
  let db = memoryDb;
  let result;
  for (let i = 0; i < size.warmups + size.runs; i++) {
    if (w.file) {
      if (db !== memoryDb) await db.close();
      db = await adapter.open(freshFile(tmpdir));
    }
    result = undefined;
    const t = await timed(w, db);
    result = t.result;
    times.push(t.ms);
  }
  const check = await w.check(db, result);
  if (db !== memoryDb) await db.close();
  // firstMs: the first run in a process that has run the workloads before this one (JSON only).
  return { ms: median(times.slice(size.warmups)), runs: times.slice(size.warmups), firstMs: times[0], check };
}

async function workloads(sizeName, tmpdir) {
  const size = SIZES[sizeName];
  const { adapter, db } = await load();
  const [{ v: sqlite }] = await db.all('SELECT sqlite_version() AS v');
  const results = {};
  for (const w of makeWorkloads(size)) {
    if (!runs(adapter, w)) continue;
    results[w.name] = await runWorkload(adapter, db, w, size, tmpdir);
    process.stderr.write(`  ${adapter.label.padEnd(26)} ${w.name.padEnd(18)} ${results[w.name].ms.toFixed(1)} ms\n`);
  }
  await db.close();
  const wasmGzipBytes = adapter.wasmFile ? gzipSync(readFileSync(adapter.wasmFile)).length : null;
  return { label: adapter.label, sqlite, results, wasmGzipBytes, maxRssKB: process.resourceUsage().maxRSS };
}

// What a user's first run costs: nothing before it in this process but loading the engine and
// what the workload needs to find (prepare and setup, untimed). Each named workload on a fresh
// database; run.js names one per process, except --quick, which names them all in one process
// (a smoke run: the code path is the same, the figures are not cold). Answers { name: { ms,
// check } } for the rows the engine runs.
async function cold(sizeName, tmpdir, names) {
  const all = makeWorkloads(SIZES[sizeName]);
  const { adapter, db: first } = await load();
  await first.close();
  const out = {};
  for (const name of names.split(',')) {
    const w = all.find((x) => x.name === name);
    if (!w) throw new RangeError(`Expected a workload name; got ${name}`);
    if (!runs(adapter, w)) continue;
    const db = await adapter.open(w.file ? freshFile(tmpdir) : undefined);
    await w.prepare?.(db);
    const { ms, result } = await timed(w, db);
    out[name] = { ms, check: await w.check(db, result) };
    await db.close();
  }
  return out;
}

// The cost of one more open database: the first one (which loads the engine) is left out, then
// count - 1 more are opened and each answers one query, all kept open until the end.
async function open(count) {
  const { adapter, db: first } = await load();
  await first.all('SELECT 1 AS x');
  const dbs = [first];
  globalThis.gc?.();
  const rss0 = process.memoryUsage.rss();
  const start = performance.now();
  for (let i = 1; i < count; i++) {
    const db = await adapter.open();
    await db.all('SELECT 1 AS x');
    dbs.push(db);
  }
  const ms = performance.now() - start;
  globalThis.gc?.();
  const rss = process.memoryUsage.rss() - rss0;
  for (const db of dbs) await db.close();
  return { msPerDb: ms / (count - 1), mibPerDb: rss / (count - 1) / 2 ** 20 };
}

if (mode === 'workloads') reply(await workloads(...rest));
else if (mode === 'cold') reply(await cold(...rest));
else if (mode === 'open') reply(await open(Number(rest[0])));
else throw new TypeError(`Expected workloads, cold or open; got ${mode}`);
