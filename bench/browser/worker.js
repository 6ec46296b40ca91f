// One engine in one dedicated module Worker, started fresh for every run so that nothing it
// measures is warm:  worker.js?engine=ours&mode=init|bench&size=full|quick
// Posts { type: 'log' | 'init' | 'done' | 'error' } messages to the page (page.js).
import { PRAGMAS, SIZES, WORKLOADS, makeData, median, runRound } from './workloads.js';

const params = new URL(self.location.href).searchParams;
const post = (message) => self.postMessage(message);
const log = (text) => post({ type: 'log', text });

// Errors cross postMessage as plain objects, with their cause chain, so none is lost.
function describe(e) {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  return { name: e.name, message: e.message, code: e.code, stack: e.stack, cause: e.cause && describe(e.cause) };
}

async function opfsEntries() {
  const root = await navigator.storage.getDirectory();
  const names = [];
  for await (const name of root.keys()) names.push(name);
  return names;
}

async function settingsOf(db) {
  const out = {};
  for (const p of ['journal_mode', 'synchronous', 'page_size', 'cache_size']) {
    const [row] = await db.all(`PRAGMA ${p}`);
    out[p] = Object.values(row)[0];
  }
  return out;
}

async function bench(engine, file, size) {
  const data = makeData(size);
  const samples = Object.fromEntries(WORKLOADS.map((n) => [n, []]));
  const checks = {};
  for (let i = 0; i < size.warmups + size.runs; i++) {
    const round = await runRound(engine, file, data);
    const warm = i < size.warmups;
    log(`${warm ? 'warm-up' : `run ${i - size.warmups + 1}`}: ` +
      WORKLOADS.map((n) => `${n} ${round[n].ms.toFixed(1)}`).join(', '));
    for (const n of WORKLOADS) {
      // Every round must give the same answers, or the medians compare different work.
      if (checks[n] !== undefined && checks[n] !== round[n].check) {
        throw new Error(`${n} answered ${round[n].check} in round ${i + 1}, ${checks[n]} before`);
      }
      checks[n] = round[n].check;
      if (!warm) samples[n].push(round[n].ms);
    }
  }
  return Object.fromEntries(WORKLOADS.map((n) => [n, { ms: median(samples[n]), runs: samples[n], check: checks[n] }]));
}

async function main() {
  const size = SIZES[params.get('size')];
  // Init, cold: loading the engine's modules, compiling its wasm, installing its VFS, opening
  // the file, and the first query's answer. The page times it from `new Worker`.
  const { load, file } = await import(`./engines/${params.get('engine')}.js`);
  const engine = await load();
  const db = await engine.open(file);
  const [{ v: sqlite }] = await db.all('SELECT sqlite_version() AS v');
  post({ type: 'init' });

  await db.exec(PRAGMAS);
  const settings = await settingsOf(db);
  await db.close();
  await engine.remove(file);
  const results = params.get('mode') === 'bench' ? await bench(engine, file, size) : null;
  await engine.dispose();
  // An engine cleans up after itself: whatever it left in OPFS is reported.
  post({ type: 'done', sqlite, vfs: engine.vfs, settings, results, leftover: await opfsEntries() });
}

main().catch((e) => post({ type: 'error', error: describe(e) }));
