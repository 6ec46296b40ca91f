// The indexeddb VFS (src/vfs/indexeddb.js) in real browsers, through its methods, called as
// SQLite calls them: the engine cannot run over an async VFS until the JSPI plumbing exists, so
// these tests are SQLite's side of the contract. Every case runs in Chromium and in Firefox
// (browser/browsers.js), on pages/idb.html, which loads the VFS from src/ as an ES module;
// page bodies use the helpers of pages/idb-vfs.js (globalThis.T).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { startStaticServer } from './browser/static-server.js';
import { browserNames, launchBrowser } from './browser/browsers.js';
import {
  SQLITE_CANTOPEN,
  SQLITE_FULL,
  SQLITE_IOERR_DELETE_NOENT,
  SQLITE_IOERR_FSYNC,
  SQLITE_IOERR_WRITE,
} from '../src/vfs/constants.js';

let server;

before(async () => {
  server = await startStaticServer();
});

after(async () => {
  await server?.close();
});

async function openPage(browser, origin = server.origin) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${origin}/test/browser/pages/idb.html`);
  await page.waitForFunction(() => globalThis.idbReady === true);
  page.errors = errors;
  return page;
}

// Up to `ms` for `body` (run on `page`) to return true: a closed tab's Web Locks go a moment later.
async function eventually(page, body, arg, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(body, arg)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const name of browserNames) {
  describe(name, () => {
    let browser;
    // Firefox reads its storage limit once, at start-up, so the quota test needs a browser of
    // its own (10 MiB → a 10 MiB origin quota): launched now, it starts while the others run.
    let limitedLaunch = null;

    before(async () => {
      browser = await launchBrowser(name);
      if (name === 'firefox') {
        limitedLaunch = launchBrowser(name, { storageLimitMiB: 10 });
        limitedLaunch.catch(() => {}); // the quota test reports it
      }
    });

    after(async () => {
      await browser?.close();
      await (await limitedLaunch?.catch(() => null))?.close();
    });

    it('writes, reads, sizes and truncates across blocks; short reads only at end of file', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C, bytes, equal } = T;
        const vfs = T.vfs('round-trip');
        const checks = {};
        const { file, flags } = await vfs.open('/dir/./rt.db', T.MAIN);
        checks.flags = flags === T.MAIN;
        checks.path = file.path;
        checks.empty = (await file.size()) === 0 && (await file.read(0, 100)).length === 0;
        checks.locked = await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        const model = new Uint8Array(40000);
        const write = async (offset, data) => {
          await file.write(offset, data);
          model.set(data, offset);
        };
        await write(0, bytes(1, 10000)); // blocks 0..2, the last in part
        checks.size = await file.size();
        checks.acrossBlocks = equal(await file.read(4090, 20), model.subarray(4090, 4110));
        checks.shortAtEnd = equal(await file.read(9990, 100), model.subarray(9990, 10000));
        checks.pastEnd = (await file.read(20000, 10)).length;
        await write(4000, bytes(2, 200)); // inside two blocks, in part
        await write(20000, bytes(3, 100)); // past the end: 10000..20000 reads as zeros
        checks.grown = await file.size();
        checks.gapIsZeros = equal(await file.read(9000, 11100), model.subarray(9000, 20100));
        checks.wholePending = equal(await T.readAll(file), model.subarray(0, 20100));
        checks.notYetStored = (await T.committed('round-trip', 'dir/rt.db')).length;
        await file.sync(C.SQLITE_SYNC_NORMAL);
        checks.stored = equal(await T.committed('round-trip', 'dir/rt.db'), model.subarray(0, 20100));
        checks.wholeSynced = equal(await T.readAll(file), model.subarray(0, 20100));
        // Truncate inside a block: the rest of it, and what lay past, must not come back.
        await file.truncate(5000);
        model.fill(0, 5000);
        checks.truncated = await file.size();
        checks.shortAfterTruncate = (await file.read(4990, 100)).length;
        await write(8000, bytes(4, 10));
        checks.regrownPending = equal(await T.readAll(file), model.subarray(0, 8010));
        await file.sync(C.SQLITE_SYNC_NORMAL);
        checks.regrownStored = equal(await T.committed('round-trip', 'dir/rt.db'), model.subarray(0, 8010));
        await file.truncate(12288); // growing by truncate: zeros
        await file.sync(C.SQLITE_SYNC_NORMAL);
        checks.grownByTruncate = equal(await T.committed('round-trip', 'dir/rt.db'), model.subarray(0, 12288));
        const raw = await T.raw('round-trip');
        checks.raw = { files: raw.files.map(({ path, size, version }) => ({ path, size, version })), blocks: raw.blocks };
        await file.truncate(0);
        await file.sync(C.SQLITE_SYNC_NORMAL);
        checks.emptied = (await T.raw('round-trip')).blocks;
        await file.unlock(C.SQLITE_LOCK_NONE);
        await file.close();
        return checks;
      });
      assert.deepEqual(result, {
        flags: true,
        path: 'dir/rt.db',
        empty: true,
        locked: true,
        size: 10000,
        acrossBlocks: true,
        shortAtEnd: true,
        pastEnd: 0,
        grown: 20100,
        gapIsZeros: true,
        wholePending: true,
        notYetStored: 0,
        stored: true,
        wholeSynced: true,
        truncated: 5000,
        shortAfterTruncate: 10,
        regrownPending: true,
        regrownStored: true,
        grownByTruncate: true,
        // Three commits; blocks 0 and 1 (zeros past 8010), none for the zeros beyond.
        raw: { files: [{ path: 'dir/rt.db', size: 12288, version: 3 }], blocks: { 'dir/rt.db': [0, 1] } },
        emptied: {},
      });
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('opens, deletes and checks files as SQLite expects; journals and temp files stay in memory', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C, failure } = T;
        const vfs = T.vfs('names');
        const checks = {};
        checks.fullPathname = [vfs.fullPathname('/a/./b//c.db'), vfs.fullPathname('x/../y.db'), vfs.fullPathname('z.db')];
        checks.leavesRoot = (await failure((async () => vfs.fullPathname('../up.db'))())).code;
        checks.absent = await vfs.access('f.db', C.SQLITE_ACCESS_EXISTS);
        checks.openMissing = await failure(vfs.open('f.db', C.SQLITE_OPEN_MAIN_DB | C.SQLITE_OPEN_READWRITE));
        const { file } = await vfs.open('f.db', T.MAIN);
        checks.created = await vfs.access('/f.db', C.SQLITE_ACCESS_READWRITE);
        checks.exclusiveCreate = (await failure(vfs.open('f.db', T.MAIN | C.SQLITE_OPEN_EXCLUSIVE))).code;
        await file.close();
        const { file: readonly } = await vfs.open('f.db', C.SQLITE_OPEN_MAIN_DB | C.SQLITE_OPEN_READONLY);
        checks.readonlyWrite = (await failure(() => readonly.write(0, new Uint8Array(10)))).code;
        checks.readonlyTruncate = (await failure(() => readonly.truncate(0))).code;
        await readonly.close();
        checks.readonlyMissing = (await failure(vfs.open('g.db', C.SQLITE_OPEN_MAIN_DB | C.SQLITE_OPEN_READONLY | C.SQLITE_OPEN_CREATE))).code;
        // The journal: in memory, never in IndexedDB, but it exists for xAccess and xDelete.
        const { file: journal } = await vfs.open('f.db-journal', T.JOURNAL);
        await journal.write(0, T.bytes(5, 5000));
        await journal.sync(C.SQLITE_SYNC_NORMAL);
        checks.journalRead = T.equal(await journal.read(4000, 2000), T.bytes(5, 5000).subarray(4000));
        checks.journalExists = await vfs.access('f.db-journal', C.SQLITE_ACCESS_EXISTS);
        checks.storedFiles = (await T.raw('names')).files.map((f) => f.path);
        await journal.close();
        checks.journalKeptAfterClose = await vfs.access('f.db-journal', C.SQLITE_ACCESS_EXISTS);
        await vfs.delete('f.db-journal', false);
        checks.journalDeleted = await vfs.access('f.db-journal', C.SQLITE_ACCESS_EXISTS);
        const { file: temp } = await vfs.open(null, C.SQLITE_OPEN_TEMP_DB | C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE | C.SQLITE_OPEN_DELETEONCLOSE);
        await temp.write(0, new Uint8Array([1, 2, 3]));
        checks.temp = [...await temp.read(0, 10)];
        checks.tempPath = temp.path.startsWith('/');
        await temp.close();
        checks.tempGone = await vfs.access(temp.path, C.SQLITE_ACCESS_EXISTS);
        await vfs.delete('/f.db', true);
        checks.deleted = await vfs.access('f.db', C.SQLITE_ACCESS_EXISTS);
        checks.deleteAgain = (await failure(vfs.delete('f.db', false))).code;
        checks.raw = await T.raw('names');
        checks.characteristics = [file.sectorSize(), file.deviceCharacteristics(), Boolean(file.sharedMemory), vfs.name, vfs.async];
        return checks;
      });
      assert.deepEqual(result.fullPathname, ['a/b/c.db', 'y.db', 'z.db']);
      assert.equal(result.leavesRoot, SQLITE_CANTOPEN);
      assert.equal(result.absent, false);
      assert.equal(result.openMissing.code, SQLITE_CANTOPEN);
      assert.equal(result.openMissing.name, 'VfsError');
      assert.match(result.openMissing.message, /f\.db.*does not exist/);
      assert.equal(result.created, true);
      assert.equal(result.exclusiveCreate, SQLITE_CANTOPEN);
      assert.equal(result.readonlyWrite, SQLITE_IOERR_WRITE);
      assert.equal(result.readonlyTruncate, 6 << 8 | 10);
      assert.equal(result.readonlyMissing, SQLITE_CANTOPEN);
      assert.equal(result.journalRead, true);
      assert.equal(result.journalExists, true);
      assert.deepEqual(result.storedFiles, ['f.db'], 'the journal is not in IndexedDB');
      assert.equal(result.journalKeptAfterClose, true);
      assert.equal(result.journalDeleted, false);
      assert.deepEqual(result.temp, [1, 2, 3]);
      assert.equal(result.tempPath, true);
      assert.equal(result.tempGone, false);
      assert.equal(result.deleted, false);
      assert.equal(result.deleteAgain, SQLITE_IOERR_DELETE_NOENT);
      assert.deepEqual(result.raw, { files: [], blocks: {} });
      assert.deepEqual(result.characteristics, [4096, 0x1000, false, 'indexeddb', true]);
      await page.close();
    });

    it('a synced file survives a reload; writes not synced are not there', async () => {
      const page = await openPage(browser);
      await page.evaluate(async () => {
        const { C } = T;
        const { file } = await T.vfs('reload').open('keep.db', T.MAIN);
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        await file.write(0, T.bytes(6, 3 * 4096 + 100));
        await file.sync(C.SQLITE_SYNC_FULL);
        await file.write(0, T.bytes(7, 4096)); // a transaction the reload interrupts
        T.files.keep = file;
      });
      await page.reload();
      await page.waitForFunction(() => globalThis.idbReady === true);
      const result = await page.evaluate(async () => {
        const { file } = await T.vfs('reload').open('keep.db', T.MAIN);
        await file.lock(T.C.SQLITE_LOCK_SHARED);
        const bytes = await T.readAll(file);
        await file.unlock(T.C.SQLITE_LOCK_NONE);
        await file.close();
        return { length: bytes.length, same: T.equal(bytes, T.bytes(6, 3 * 4096 + 100)) };
      });
      assert.deepEqual(result, { length: 3 * 4096 + 100, same: true });
      await page.close();
    });

    it('a flush is all or nothing: a failure in the middle of its transaction leaves the stored file as it was', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C, equal, bytes } = T;
        const { file } = await T.vfs('atomic').open('a.db', T.MAIN);
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        await file.write(0, bytes(8, 10 * 4096));
        await file.sync(C.SQLITE_SYNC_NORMAL);
        const before = await T.raw('atomic');
        await file.write(0, bytes(9, 20 * 4096));
        // The 6th of the flush's 21 puts (20 blocks, then the record) fails inside IndexedDB (a
        // key that exists, added): the request errors and the transaction aborts, after five
        // puts were carried out in it.
        const put = IDBObjectStore.prototype.put;
        let puts = 0;
        IDBObjectStore.prototype.put = function (value, key) {
          return ++puts === 6 ? this.add(value, [key[0], 0]) : put.call(this, value, key);
        };
        let error;
        try {
          error = await T.failure(file.sync(C.SQLITE_SYNC_NORMAL));
        } finally {
          IDBObjectStore.prototype.put = put;
        }
        const checks = { error, puts };
        checks.storedUnchanged = equal(await T.committed('atomic', 'a.db'), bytes(8, 10 * 4096));
        checks.recordUnchanged = JSON.stringify((await T.raw('atomic')).files) === JSON.stringify(before.files);
        // The file reads as stored again (its pending writes went with the failure), and works on.
        checks.fileReadsStored = equal(await T.readAll(file), bytes(8, 10 * 4096));
        await file.write(0, bytes(10, 4096));
        await file.sync(C.SQLITE_SYNC_NORMAL);
        const expected = bytes(8, 10 * 4096);
        expected.set(bytes(10, 4096));
        checks.later = equal(await T.committed('atomic', 'a.db'), expected);
        await file.unlock(C.SQLITE_LOCK_NONE);
        await file.close();
        return checks;
      });
      assert.equal(result.puts, 21);
      assert.equal(result.error.code, SQLITE_IOERR_FSYNC);
      assert.match(result.error.message, /ConstraintError/);
      assert.deepEqual({ ...result, error: undefined, puts: undefined }, {
        error: undefined, puts: undefined, storedUnchanged: true, recordUnchanged: true, fileReadsStored: true, later: true,
      });
      await page.close();
    });

    it('a tab closed in the middle of a flush leaves the old state or the new one, whole', async (t) => {
      const blocks = 1024; // 4 MiB: a flush long enough to be cut
      const page = await openPage(browser);
      await page.evaluate(async (n) => {
        const { C } = T;
        const { file } = await T.vfs('cut').open('cut.db', T.MAIN);
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        await file.write(0, T.bytes(11, n * 4096));
        await file.sync(C.SQLITE_SYNC_NORMAL);
        await file.write(0, T.bytes(12, n * 4096));
        // The tab goes as soon as the flush's transaction has its requests.
        const transaction = IDBDatabase.prototype.transaction;
        let issued;
        const started = new Promise((resolve) => {
          issued = resolve;
        });
        IDBDatabase.prototype.transaction = function (...args) {
          const tx = transaction.apply(this, args);
          if (args[1] === 'readwrite') setTimeout(issued, 0);
          return tx;
        };
        globalThis.flushing = file.sync(C.SQLITE_SYNC_NORMAL);
        await started;
      }, blocks);
      await page.close();
      const other = await openPage(browser);
      const outcome = await other.evaluate(async (n) => {
        const bytes = await T.committed('cut', 'cut.db');
        const [record] = (await T.raw('cut')).files;
        if (T.equal(bytes, T.bytes(11, n * 4096))) return { state: 'old', version: record.version };
        if (T.equal(bytes, T.bytes(12, n * 4096))) return { state: 'new', version: record.version };
        return { state: 'mixed' };
      }, blocks);
      t.diagnostic(`${name}: the tab closed with its flush issued; IndexedDB holds the ${outcome.state} state`);
      assert.notEqual(outcome.state, 'mixed');
      assert.equal(outcome.version, outcome.state === 'old' ? 1 : 2);
      await other.close();
    });

    it('two tabs: SHARED, RESERVED, PENDING and EXCLUSIVE exclude each other as native locks do', async () => {
      const a = await openPage(browser);
      const b = await openPage(browser);
      const setup = async ([key]) => {
        const vfs = T.vfs('tabs');
        T.files[key] = (await vfs.open('locks.db', T.MAIN)).file;
        T.files[`${key}2`] = (await vfs.open('locks.db', T.MAIN)).file; // a second connection in the tab
      };
      await a.evaluate(setup, ['a']);
      await b.evaluate(setup, ['b']);
      const on = (page, body, ...args) => page.evaluate(
        ([source, rest]) => new Function('T', 'C', 'args', `return (${source})(...args)`)(T, T.C, rest), [body.toString(), args]);
      const lock = (page, key, level) => on(page, (k, l) => T.files[k].lock(T.C[l]), key, level);
      const unlock = (page, key, level) => on(page, (k, l) => T.files[k].unlock(T.C[l]), key, level);
      const reservedSeen = (page, key) => on(page, (k) => T.files[k].checkReservedLock(), key);

      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_SHARED'), true);
      assert.equal(await lock(b, 'b', 'SQLITE_LOCK_SHARED'), true, 'readers share');
      assert.equal(await reservedSeen(b, 'b'), false);
      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_RESERVED'), true);
      assert.equal(await lock(b, 'b', 'SQLITE_LOCK_RESERVED'), false, 'one writer at a time');
      assert.equal(await lock(a, 'a2', 'SQLITE_LOCK_SHARED'), true, 'a reader beside a writer');
      assert.equal(await lock(a, 'a2', 'SQLITE_LOCK_RESERVED'), false, 'one writer, in one tab too');
      assert.equal(await reservedSeen(b, 'b'), true);
      assert.equal(await reservedSeen(a, 'a2'), true);
      await unlock(a, 'a2', 'SQLITE_LOCK_NONE');
      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_EXCLUSIVE'), false, 'EXCLUSIVE waits for the reader in the other tab');
      assert.equal(await on(a, (k) => T.files[k].lockLevel, 'a'), 4 - 1, 'PENDING kept');
      assert.equal(await lock(b, 'b2', 'SQLITE_LOCK_SHARED'), false, 'PENDING keeps new readers out');
      assert.equal(await lock(a, 'a2', 'SQLITE_LOCK_SHARED'), false, 'in the writer\'s tab too');
      await unlock(b, 'b', 'SQLITE_LOCK_NONE');
      // The waiting request is granted a moment later: SQLite's busy handler asks again.
      assert.ok(await eventually(a, () => T.files.a.lock(T.C.SQLITE_LOCK_EXCLUSIVE)), 'the last reader gone');
      assert.equal(await lock(b, 'b', 'SQLITE_LOCK_SHARED'), false, 'no reader under EXCLUSIVE');
      // A write, committed and seen by the other tab once the writer is back at SHARED.
      await on(a, async (k) => {
        await T.files[k].write(0, T.bytes(13, 4096));
        await T.files[k].sync(T.C.SQLITE_SYNC_NORMAL);
      }, 'a');
      await unlock(a, 'a', 'SQLITE_LOCK_SHARED');
      assert.equal(await lock(b, 'b', 'SQLITE_LOCK_SHARED'), true, 'a reader beside the writer back at SHARED');
      assert.equal(await lock(b, 'b', 'SQLITE_LOCK_RESERVED'), true, 'RESERVED let go with EXCLUSIVE');
      assert.equal(await on(b, async (k) => T.equal(await T.files[k].read(0, 4096), T.bytes(13, 4096)), 'b'), true);
      await unlock(a, 'a', 'SQLITE_LOCK_NONE');
      // SHARED straight to EXCLUSIVE (a hot journal's rollback) needs RESERVED too.
      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_SHARED'), true);
      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_EXCLUSIVE'), false);
      assert.equal(await on(a, (k) => T.files[k].lockLevel, 'a'), 1, 'still SHARED');
      await unlock(a, 'a', 'SQLITE_LOCK_NONE');
      // A tab that closes holding RESERVED lets go of it.
      await b.close();
      assert.ok(await eventually(a, async () => {
        const granted = await T.files.a.lock(T.C.SQLITE_LOCK_SHARED) && await T.files.a.lock(T.C.SQLITE_LOCK_RESERVED);
        if (!granted) await T.files.a.unlock(T.C.SQLITE_LOCK_NONE);
        return granted;
      }), 'RESERVED of a closed tab');
      assert.equal(await lock(a, 'a', 'SQLITE_LOCK_EXCLUSIVE'), true);
      await unlock(a, 'a', 'SQLITE_LOCK_NONE');
      assert.deepEqual(a.errors, []);
      await a.close();
    });

    it('a dedicated Worker and its page share the files and exclude each other', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C } = T;
        const inWorker = T.worker();
        await inWorker(`state.file = (await new idb.IndexedDbVfs({ databaseName: 'worker' }).open('w.db', ${T.MAIN})).file;`);
        const { file } = await T.vfs('worker').open('w.db', T.MAIN);
        const checks = {};
        checks.workerCommits = await inWorker(`
          for (const level of [C.SQLITE_LOCK_SHARED, C.SQLITE_LOCK_RESERVED, C.SQLITE_LOCK_EXCLUSIVE]) {
            if (!await state.file.lock(level)) return false;
          }
          await state.file.write(0, new Uint8Array(4096).fill(7));
          await state.file.sync(C.SQLITE_SYNC_NORMAL);
          await state.file.unlock(C.SQLITE_LOCK_SHARED);
          return true;
        `);
        checks.pageReads = await file.lock(C.SQLITE_LOCK_SHARED) && (await file.read(0, 4096)).every((b) => b === 7);
        checks.pageReserved = await file.lock(C.SQLITE_LOCK_RESERVED);
        checks.workerReserved = await inWorker('return state.file.lock(C.SQLITE_LOCK_RESERVED)');
        checks.workerSeesReserved = await inWorker('return state.file.checkReservedLock()');
        await file.unlock(C.SQLITE_LOCK_NONE);
        // As SQLite's busy handler would: the lock manager may see the page's release a moment
        // after the page does (the Worker asks through a channel of its own).
        checks.workerReservedAfter = await inWorker(`
          for (let i = 0; i < 100; i++) {
            if (await state.file.lock(C.SQLITE_LOCK_RESERVED)) return true;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          return false;
        `);
        await inWorker('await state.file.unlock(C.SQLITE_LOCK_NONE); await state.file.close();');
        await file.close();
        return checks;
      });
      assert.deepEqual(result, {
        workerCommits: true, pageReads: true, pageReserved: true, workerReserved: false, workerSeesReserved: true, workerReservedAfter: true,
      });
      await page.close();
    });

    it('a tab sees another tab\'s commits: taking SHARED checks the version and drops a stale cache', async () => {
      const a = await openPage(browser);
      const b = await openPage(browser);
      const open = async () => {
        T.files.f = (await T.vfs('versions').open('v.db', T.MAIN)).file;
      };
      await a.evaluate(open);
      await b.evaluate(open);
      const write = (seed) => a.evaluate(async (s) => {
        const { C } = T;
        // As SQLite's busy handler does: the reader in tab b lets go of its lingering hold when asked.
        while (!await T.lockTo(T.files.f, C.SQLITE_LOCK_EXCLUSIVE)) await new Promise((resolve) => setTimeout(resolve, 5));
        await T.files.f.write(0, T.bytes(s, 2 * 4096));
        await T.files.f.sync(C.SQLITE_SYNC_NORMAL);
        await T.files.f.unlock(C.SQLITE_LOCK_NONE);
      }, seed);
      // A read transaction in tab b: what it read, and how many blocks it fetched from IndexedDB.
      const read = () => b.evaluate(async () => {
        const { C } = T;
        T.log.length = 0;
        await T.files.f.lock(C.SQLITE_LOCK_SHARED);
        const bytes = await T.files.f.read(0, 2 * 4096);
        await T.files.f.unlock(C.SQLITE_LOCK_NONE);
        const fetched = T.log.filter(([method]) => method === 'fetch').flatMap(([, , indices]) => indices).length;
        return { seed: [14, 15].find((s) => T.equal(bytes, T.bytes(s, 2 * 4096))), fetched };
      });
      await write(14);
      assert.deepEqual(await read(), { seed: 14, fetched: 2 });
      assert.deepEqual(await read(), { seed: 14, fetched: 0 }, 'unchanged: served from the cache');
      await write(15);
      assert.deepEqual(await read(), { seed: 15, fetched: 2 }, 'changed: the cache was dropped');
      // With no lock (SQLite reading the header at open) nothing is cached, and the record is read with the blocks.
      const unlocked = await b.evaluate(async () => {
        T.log.length = 0;
        await T.files.f.read(0, 100);
        await T.files.f.read(0, 100);
        return T.log.filter(([method]) => method === 'fetch').length;
      });
      assert.equal(unlocked, 2);
      await a.close();
      await b.close();
    });

    it('SHARED lingers after a read transaction, until a writer in another tab asks for it', async () => {
      const a = await openPage(browser);
      const b = await openPage(browser);
      const setup = () => {
        T.files.f = null;
        // Counts the Web Lock requests of this page.
        T.requests = 0;
        const request = navigator.locks.request.bind(navigator.locks);
        navigator.locks.request = (...args) => {
          T.requests++;
          return request(...args);
        };
        return T.vfs('linger').open('l.db', T.MAIN).then(({ file }) => {
          T.files.f = file;
        });
      };
      await a.evaluate(setup);
      await b.evaluate(setup);
      // Three read transactions in b: the first asks for the lock and reads the record and the
      // block; the next two ask for nothing and fetch nothing.
      const reads = (count) => b.evaluate(async (n) => {
        const { C } = T;
        T.log.length = 0;
        const before = T.requests;
        const seen = [];
        for (let i = 0; i < n; i++) {
          if (!await T.files.f.lock(C.SQLITE_LOCK_SHARED)) return 'busy';
          seen.push((await T.files.f.read(0, 4096))[0]);
          await T.files.f.unlock(C.SQLITE_LOCK_NONE);
        }
        return { seen, requests: T.requests - before, fetched: T.log.filter(([m]) => m === 'fetch').length };
      }, count);
      const write = (byte) => a.evaluate(async (v) => {
        const { C } = T;
        let refused = 0;
        while (!await T.lockTo(T.files.f, C.SQLITE_LOCK_EXCLUSIVE)) {
          refused++;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await T.files.f.write(0, new Uint8Array(4096).fill(v));
        await T.files.f.sync(C.SQLITE_SYNC_NORMAL);
        await T.files.f.unlock(C.SQLITE_LOCK_NONE);
        return refused;
      }, byte);
      assert.equal(await write(1), 0, 'nobody in the way');
      assert.deepEqual(await reads(3), { seen: [1, 1, 1], requests: 1, fetched: 1 });
      // b's hold lingers: the writer is refused until b, asked, lets go; then b sees the write.
      assert.ok(await write(2) >= 1, 'the lingering reader was in the way');
      assert.deepEqual(await reads(2), { seen: [2, 2], requests: 1, fetched: 1 });
      // A reader inside a transaction when asked lets go at its end, not lingering.
      assert.equal(await b.evaluate(() => T.files.f.lock(T.C.SQLITE_LOCK_SHARED)), true);
      const writing = write(3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await b.evaluate(async () => (await T.files.f.read(0, 1))[0]), 2, 'the writer waits for the reader');
      await b.evaluate(() => T.files.f.unlock(T.C.SQLITE_LOCK_NONE));
      // (Whether the writer's first try saw a refusal or waited it out depends on how soon a
      // background tab's timers run: Firefox defers them.)
      await writing;
      assert.deepEqual(await reads(1), { seen: [3], requests: 1, fetched: 1 });
      assert.deepEqual(a.errors, []);
      assert.deepEqual(b.errors, []);
      await a.close();
      await b.close();
    });

    it('the journal and WAL lookups of a read transaction are answered from what taking SHARED read', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C } = T;
        const vfs = T.vfs('companions');
        const { file } = await vfs.open('c.db', T.MAIN);
        // Counts the IndexedDB transactions `body` makes.
        const transactions = async (body) => {
          const transaction = IDBDatabase.prototype.transaction;
          let count = 0;
          IDBDatabase.prototype.transaction = function (...args) {
            count++;
            return transaction.apply(this, args);
          };
          try {
            return { answer: await body(), count };
          } finally {
            IDBDatabase.prototype.transaction = transaction;
          }
        };
        const ask = () => Promise.all([vfs.access('c.db-journal', C.SQLITE_ACCESS_EXISTS), vfs.access('c.db-wal', C.SQLITE_ACCESS_EXISTS)]);
        const checks = {};
        checks.unlocked = await transactions(ask);
        checks.lock = await transactions(() => file.lock(C.SQLITE_LOCK_SHARED));
        checks.shared = await transactions(ask);
        // This VFS's own open and delete of a WAL keep the answer true.
        const { file: wal } = await vfs.open('c.db-wal', C.SQLITE_OPEN_WAL | C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE);
        checks.walOpened = await transactions(ask);
        await wal.close();
        await vfs.delete('c.db-wal', false);
        checks.walDeleted = await transactions(ask);
        await file.unlock(C.SQLITE_LOCK_NONE);
        checks.afterUnlock = await transactions(ask);
        await file.close();
        return checks;
      });
      assert.deepEqual(result, {
        unlocked: { answer: [false, false], count: 2 },
        lock: { answer: true, count: 1 },
        shared: { answer: [false, false], count: 0 },
        walOpened: { answer: [false, true], count: 0 },
        walDeleted: { answer: [false, false], count: 0 },
        afterUnlock: { answer: [false, false], count: 2 },
      });
      await page.close();
    });

    it('an abandoned transaction is never flushed: a hot journal at unlock, or a close above SHARED, drops its writes', async () => {
      const page = await openPage(browser);
      const result = await page.evaluate(async () => {
        const { C, bytes, equal } = T;
        const vfs = T.vfs('abandon');
        const { file } = await vfs.open('x.db', T.MAIN);
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        await file.write(0, bytes(16, 4096));
        await file.sync(C.SQLITE_SYNC_NORMAL);
        const checks = {};
        // synchronous=OFF: no sync; the commit reaches IndexedDB when the lock drops, the
        // journal (in memory) having been deleted, as SQLite deletes it to commit.
        const { file: journal } = await vfs.open('x.db-journal', T.JOURNAL);
        await journal.write(0, bytes(17, 512));
        await file.write(0, bytes(18, 4096));
        await journal.close();
        await vfs.delete('x.db-journal', false);
        await file.unlock(C.SQLITE_LOCK_NONE);
        checks.committedAtUnlock = equal(await T.committed('abandon', 'x.db'), bytes(18, 4096));
        // A journal still hot when the lock drops: the writes were a transaction's that did not
        // end (the instance gave up on it), and IndexedDB keeps the state before it.
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        const { file: hot } = await vfs.open('x.db-journal', T.JOURNAL);
        await hot.write(0, bytes(19, 512));
        await file.write(0, bytes(20, 4096));
        await file.unlock(C.SQLITE_LOCK_NONE);
        checks.hotDropped = equal(await T.committed('abandon', 'x.db'), bytes(18, 4096));
        checks.hotReadsStored = equal(await T.readAll(file), bytes(18, 4096));
        await hot.close();
        await vfs.delete('x.db-journal', false);
        // Closed above SHARED, with writes pending: dropped too.
        await T.lockTo(file, C.SQLITE_LOCK_EXCLUSIVE);
        await file.write(0, bytes(21, 4096));
        await file.close();
        checks.closeDropped = equal(await T.committed('abandon', 'x.db'), bytes(18, 4096));
        checks.lockFree = await (async () => {
          const { file: again } = await vfs.open('x.db', T.MAIN);
          const ok = await T.lockTo(again, C.SQLITE_LOCK_EXCLUSIVE);
          await again.close();
          return ok;
        })();
        return checks;
      });
      assert.deepEqual(result, { committedAtUnlock: true, hotDropped: true, hotReadsStored: true, closeDropped: true, lockFree: true });
      await page.close();
    });

    it('quota exceeded during a flush is SQLITE_FULL, and the stored file stays as it was', async () => {
      // Chromium's quota is lowered at run time over CDP, for an origin of its own (localhost),
      // whose usage is nothing yet: the estimate of a used origin lags behind its compactions.
      // Firefox has a browser of its own, with a 10 MiB quota (see before()).
      const limited = name === 'firefox' ? await limitedLaunch : browser;
      const origin = name === 'chromium' ? server.origin.replace('127.0.0.1', 'localhost') : server.origin;
      const page = await openPage(limited, origin);
      let restoreQuota = async () => {};
      try {
        let mib = 14;
        if (name === 'chromium') {
          // Before the origin opens IndexedDB: an open backing store keeps the quota it read.
          const cdp = await limited.context.newCDPSession(page);
          const { usage } = await page.evaluate(() => navigator.storage.estimate());
          await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1024 * 1024 });
          restoreQuota = () => cdp.send('Storage.overrideQuotaForOrigin', { origin });
          mib = 4;
        }
        await page.evaluate(async () => {
          const { file } = await T.vfs('quota').open('q.db', T.MAIN);
          await T.lockTo(file, T.C.SQLITE_LOCK_EXCLUSIVE);
          await file.write(0, T.bytes(22, 8192));
          await file.sync(T.C.SQLITE_SYNC_NORMAL);
          T.files.q = file;
        });
        const full = await page.evaluate(async (n) => {
          const { C, equal, bytes } = T;
          const file = T.files.q;
          await file.write(0, T.random(n * 1024 * 1024));
          const error = await T.failure(file.sync(C.SQLITE_SYNC_NORMAL));
          return {
            error,
            fileReadsStored: equal(await T.readAll(file), bytes(22, 8192)),
            stored: equal(await T.committed('quota', 'q.db'), bytes(22, 8192)),
            mapping: T.idb.storageError(new DOMException('full', 'QuotaExceededError'), C.SQLITE_IOERR_WRITE, 'w').code,
          };
        }, mib);
        assert.equal(full.error.code, SQLITE_FULL, JSON.stringify(full.error));
        assert.match(full.error.message, /quota/);
        assert.deepEqual({ ...full, error: undefined }, { error: undefined, fileReadsStored: true, stored: true, mapping: SQLITE_FULL });
        // With room again, the file commits as before. Chromium counts the aborted transaction
        // until it compacts it, so its quota goes back up; Firefox frees it by itself, and right
        // after the failure (for about a second) refuses transactions with an InvalidStateError.
        await restoreQuota();
        restoreQuota = async () => {};
        const later = await page.evaluate(async () => {
          const { C, bytes } = T;
          const file = T.files.q;
          const deadline = Date.now() + 5000;
          let result;
          do {
            await file.write(8192, bytes(23, 100));
            result = await T.failure(file.sync(C.SQLITE_SYNC_NORMAL));
            if (result !== 'resolved') await new Promise((resolve) => setTimeout(resolve, 100));
          } while (result !== 'resolved' && Date.now() < deadline);
          await file.unlock(C.SQLITE_LOCK_NONE);
          await file.close();
          return { result, size: (await T.committed('quota', 'q.db')).length };
        });
        assert.deepEqual(later, { result: 'resolved', size: 8292 });
      } finally {
        await restoreQuota();
        await page.close();
      }
    });

    it('IndexedDB unavailable (an opaque origin, a newer schema) or Web Locks missing fails open with SQLITE_CANTOPEN', async () => {
      // An opaque origin (a sandboxed frame) may not use storage: Chromium's indexedDB getter
      // throws, Firefox's open() does. The VFS goes in as a script, since an opaque origin
      // cannot import modules from ours.
      const { outputFiles: [bundle] } = await build({
        entryPoints: [new URL('../src/vfs/indexeddb.js', import.meta.url).pathname],
        bundle: true,
        format: 'iife',
        globalName: 'IdbVfsModule',
        write: false,
      });
      const page = await openPage(browser);
      await page.setContent('<iframe sandbox="allow-scripts" srcdoc="<p>opaque</p>"></iframe>');
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      await frame.waitForLoadState();
      await frame.addScriptTag({ content: bundle.text });
      const opaque = await frame.evaluate(async () => {
        try {
          await new IdbVfsModule.IndexedDbVfs({ databaseName: 'opaque' }).open('o.db', 0x106);
          return 'opened';
        } catch (e) {
          return { name: e.name, code: e.code, message: e.message, origin: origin };
        }
      });
      assert.equal(opaque.origin, 'null');
      assert.equal(opaque.code, SQLITE_CANTOPEN, JSON.stringify(opaque));
      assert.match(opaque.message, /^IndexedDB is unavailable here, so the indexeddb VFS cannot open o\.db: SecurityError/);
      await page.close();
      // A database of the same name at a newer version (another program's): open() errors.
      const second = await openPage(browser);
      const newer = await second.evaluate(async () => {
        await new Promise((resolve, reject) => {
          const request = indexedDB.open('newer', 7);
          request.onsuccess = () => resolve(request.result.close());
          request.onerror = () => reject(request.error);
        });
        const vfs = T.vfs('newer');
        const first = await T.failure(vfs.open('n.db', T.MAIN));
        const access = await T.failure(vfs.access('n.db', 0));
        // Web Locks missing (an insecure context has IndexedDB but no navigator.locks).
        Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
        const locks = await T.failure(T.vfs('no-locks').open('l.db', T.MAIN));
        delete navigator.locks;
        return { first, access, locks };
      });
      assert.equal(newer.locks.code, SQLITE_CANTOPEN);
      assert.match(newer.locks.message, /Web Locks are unavailable here/);
      assert.equal(newer.first.code, SQLITE_CANTOPEN);
      assert.match(newer.first.message, /IndexedDB is unavailable here.*VersionError/);
      assert.equal(newer.access.code, 13 << 8 | 10, 'SQLITE_IOERR_ACCESS');
      await second.close();
    });
  });
}
