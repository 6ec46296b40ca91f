// One engine in one process, so that its peak RSS is its own and no module cache carries over.
//   node child.js startup ENGINE                 time from nothing to the first query's result
//   node child.js workloads ENGINE SIZE TMPDIR   run every workload, warm-up then timed runs
// Prints one JSON line on stdout; progress goes to stderr. An engine that cannot be imported or
// opened is reported as skipped, not as a failure, so a missing build does not hide the others.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SIZES, makeWorkloads, median } from './workloads.js';

const t0 = performance.now();
const [mode, engine, sizeName, tmpdir] = process.argv.slice(2);

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

async function startup() {
  const { db } = await load();
  const [row] = await db.all('SELECT sqlite_version() AS v');
  const ms = performance.now() - t0;
  await db.close();
  return { ms, sqlite: row.v };
}

async function runWorkload(adapter, memoryDb, w, size) {
  const file = join(tmpdir, `${engine}.db`);
  const times = [];
  let db = memoryDb;
  let result;
  for (let i = 0; i < size.warmups + size.runs; i++) {
    if (w.file) {
      if (db !== memoryDb) await db.close();
      rmSync(file, { force: true });
      rmSync(`${file}-journal`, { force: true });
      db = await adapter.open(file);
    }
    await w.setup?.(db);
    result = undefined;
    globalThis.gc?.();
    const start = performance.now();
    result = await w.run(db);
    const ms = performance.now() - start;
    if (i >= size.warmups) times.push(ms);
  }
  const check = await w.check(db, result);
  if (db !== memoryDb) await db.close();
  return { ms: median(times), runs: times, check };
}

async function workloads() {
  const size = SIZES[sizeName];
  const all = makeWorkloads(size);
  const { adapter, db } = await load();
  const [{ v: sqlite }] = await db.all('SELECT sqlite_version() AS v');
  const results = {};
  for (const w of all) {
    if (w.file && !adapter.hasFiles) continue;
    if (w.needs && !adapter.capabilities?.includes(w.needs)) continue; // a blank in the table
    results[w.name] = await runWorkload(adapter, db, w, size);
    process.stderr.write(`  ${adapter.label.padEnd(26)} ${w.name.padEnd(16)} ${results[w.name].ms.toFixed(1)} ms\n`);
  }
  await db.close();
  const wasmGzipBytes = adapter.wasmFile ? gzipSync(readFileSync(adapter.wasmFile)).length : null;
  return { label: adapter.label, sqlite, results, wasmGzipBytes, maxRssKB: process.resourceUsage().maxRSS };
}

reply(await (mode === 'startup' ? startup() : workloads()));
