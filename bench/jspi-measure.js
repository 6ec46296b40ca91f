// The cost of one JSPI round trip per VFS call, on any host: the same point reads through the
// memory VFS, synchronously and through an async wrapper whose answers are promises already
// settled, so the difference is the suspensions and resumptions alone (and each get's own
// promising call into the instance); and through one that answers at once (no promise), as the
// indexeddb VFS does from its cache, which JSPI passes through without suspending. `lib` is
// the package's entry on this host;
// `AsyncWrapperVfs` is test/support/async-vfs.js's class.
export async function measureJspiCost(lib, AsyncWrapperVfs, { reads = 20000, rounds = 5 } = {}) {
  const { Database, MemoryVfs, registerVfs } = lib;
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
  inner.name = 'jspi-cost-memory';
  registerVfs(inner);
  const settled = new SettledVfs('jspi-cost-settled', inner);
  registerVfs(settled);
  const plain = new AsyncWrapperVfs('jspi-cost-plain', inner, { plainEvery: 1 });
  registerVfs(plain);
  await Database.ready();

  // 4 KiB pages read with a one-page cache: nearly every get reads pages.
  const setup = new Database('cost.db', { vfs: inner.name });
  setup.exec("PRAGMA page_size = 4096; CREATE TABLE t(id INTEGER PRIMARY KEY, pad); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 2000) INSERT INTO t SELECT x, randomblob(3000) FROM c");
  const key = (i) => 1 + ((i * 7919) % 2000);

  function timeSync() {
    const db = new Database('cost.db', { vfs: inner.name });
    db.pragma('cache_size = 1');
    const get = db.prepare('SELECT length(pad) FROM t WHERE id = ?').pluck();
    const start = performance.now();
    for (let i = 0; i < reads; i++) get.get(key(i));
    const ms = performance.now() - start;
    db.close();
    return ms;
  }
  async function timeAsync(vfs) {
    const db = await Database.open('cost.db', { vfs: vfs.name });
    await db.exec('PRAGMA cache_size = 1');
    const get = (await db.prepare('SELECT length(pad) FROM t WHERE id = ?')).pluck();
    const before = vfs.calls;
    const start = performance.now();
    for (let i = 0; i < reads; i++) await get.get(key(i));
    const ms = performance.now() - start;
    const calls = vfs.calls - before;
    await db.close();
    return { ms, calls };
  }

  const syncRuns = [];
  const asyncRuns = [];
  const plainRuns = [];
  let calls = 0;
  for (let round = 0; round < rounds; round++) {
    syncRuns.push(timeSync());
    const a = await timeAsync(settled);
    asyncRuns.push(a.ms);
    calls = a.calls;
    plainRuns.push((await timeAsync(plain)).ms);
  }
  setup.close();
  const sync = Math.min(...syncRuns);
  const async = Math.min(...asyncRuns);
  const asyncPlain = Math.min(...plainRuns);
  return {
    reads, calls, syncMs: sync, asyncMs: async, asyncPlainMs: asyncPlain,
    perCallUs: ((async - sync) * 1000) / calls, perPlainCallUs: ((asyncPlain - sync) * 1000) / calls,
  };
}

export const describeCost = (host, r) =>
  `jspi-cost: ${host}: ${r.reads} gets, ${r.calls} VFS calls; sync ${r.syncMs.toFixed(1)} ms, async ${r.asyncMs.toFixed(1)} ms; ` +
  `${r.perCallUs.toFixed(2)} µs per VFS call (each get's own async call into the instance included); ` +
  `answered at once: async ${r.asyncPlainMs.toFixed(1)} ms, ${r.perPlainCallUs.toFixed(2)} µs per VFS call`;
