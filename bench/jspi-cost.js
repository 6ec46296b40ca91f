// The cost of one JSPI round trip per VFS call on this host: the same reads through the memory
// VFS, synchronously and through an async wrapper whose answers are promises already settled,
// so the difference is the suspension and resumption alone. Needs JSPI (Node 24).
//   node bench/jspi-cost.js [--reads N]
import { Database, MemoryVfs, registerVfs } from '../src/node.js';
import { AsyncWrapperVfs } from '../test/support/async-vfs.js';

const reads = Number(process.argv[process.argv.indexOf('--reads') + 1]) || 20000;
if (typeof WebAssembly.Suspending !== 'function') {
  console.log(`jspi-cost: skipped: no JSPI in Node ${process.version}`);
  process.exit(0);
}

// Settled promises: what is measured is JSPI, not a timer.
class SettledVfs extends AsyncWrapperVfs {
  answer(call) {
    this.calls++;
    try {
      return Promise.resolve(call());
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
const inner = new MemoryVfs();
registerVfs(inner);
const settled = new SettledVfs('settled-memory', inner);
registerVfs(settled);

// A table of 4 KiB pages read with a one-page cache: nearly every get reads pages.
const setup = new Database('cost.db', { vfs: 'memory' });
setup.exec("PRAGMA page_size = 4096; CREATE TABLE t(id INTEGER PRIMARY KEY, pad); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 2000) INSERT INTO t SELECT x, randomblob(3000) FROM c");

function timeSync() {
  const db = new Database('cost.db', { vfs: 'memory' });
  db.pragma('cache_size = 1');
  const get = db.prepare('SELECT length(pad) FROM t WHERE id = ?').pluck();
  const start = performance.now();
  for (let i = 0; i < reads; i++) get.get(1 + ((i * 7919) % 2000));
  const ms = performance.now() - start;
  db.close();
  return ms;
}

async function timeAsync() {
  const db = await Database.open('cost.db', { vfs: 'settled-memory' });
  await db.exec('PRAGMA cache_size = 1');
  const get = (await db.prepare('SELECT length(pad) FROM t WHERE id = ?')).pluck();
  const before = settled.calls;
  const start = performance.now();
  for (let i = 0; i < reads; i++) await get.get(1 + ((i * 7919) % 2000));
  const ms = performance.now() - start;
  const calls = settled.calls - before;
  await db.close();
  return { ms, calls };
}

const best = (runs) => Math.min(...runs);
const syncRuns = [];
const asyncRuns = [];
let calls = 0;
for (let round = 0; round < 5; round++) {
  syncRuns.push(timeSync());
  const a = await timeAsync();
  asyncRuns.push(a.ms);
  calls = a.calls;
}
const perCall = ((best(asyncRuns) - best(syncRuns)) * 1000) / calls;
console.log(`jspi-cost: Node ${process.version}: ${reads} gets, ${calls} VFS calls; sync ${best(syncRuns).toFixed(1)} ms, async ${best(asyncRuns).toFixed(1)} ms; ${perCall.toFixed(2)} µs per VFS call (each get's own async call into the instance included)`);
