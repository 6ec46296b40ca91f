// The package in real browsers (Debian's Chromium and Firefox ESR, driven by playwright-core:
// browser/browsers.js), served from 127.0.0.1 without COOP/COEP: the browser entry, the memory
// and opfs VFSes, and the Worker API. Every case runs in each browser, one describe per browser.
// Test bodies run either on the page (page.evaluate) or in a dedicated Worker
// (pages/eval-worker.js), where `lib` is the package's browser entry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStaticServer } from './browser/static-server.js';
import { browserNames, launchBrowser } from './browser/browsers.js';
import { inWorker, onPage, openPage as openHarnessPage, spawn } from './browser/drive.js';
import { Database } from '../src/node.js';

let server;

before(async () => {
  server = await startStaticServer();
});

after(async () => {
  await server?.close();
});

const openPage = (browser) => openHarnessPage(browser, server.origin);

// The bytes of an OPFS file, read from the page through the async OPFS API.
async function opfsFile(page, name) {
  // Base64: an array of numbers that long takes seconds to cross the protocol.
  const base64 = await page.evaluate(async (n) => {
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle(n)).getFile();
    return new Uint8Array(await file.arrayBuffer()).toBase64();
  }, name);
  return Buffer.from(base64, 'base64');
}

async function opfsNames(page) {
  return page.evaluate(async () => {
    const names = [];
    for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
    return names.sort();
  });
}

for (const name of browserNames) {
  describe(name, () => {
    let browser;

    before(async () => {
      browser = await launchBrowser(name);
    });

    after(async () => {
      await browser?.close();
    });

    describe('browser: loading', () => {
      it('loads without cross-origin isolation and runs the memory VFS on the main thread', async () => {
        const page = await openPage(browser);
        const result = await onPage(page, async (lib) => {
          let early;
          try {
            new lib.Database(':memory:');
          } catch (e) {
            early = e.message;
          }
          const start = performance.now();
          await lib.Database.ready();
          const db = new lib.Database(':memory:');
          const row = db.prepare("SELECT sqlite_version() AS version, 6 * 7 AS answer, x'0102' AS blob").get();
          const ms = performance.now() - start;
          db.close();
          return { isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer, early, row, vfs: db.vfs, ms };
        });
        assert.equal(result.isolated, false);
        assert.equal(result.sab, 'undefined', 'a page that is not isolated has no SharedArrayBuffer');
        assert.match(result.early, /await Database\.ready\(\)/);
        // The engine the Node entry runs: one component for both.
        const version = new Database(':memory:').prepare('SELECT sqlite_version()').pluck().get();
        assert.deepEqual(result.row, { version, answer: 42, blob: new Uint8Array([1, 2]) });
        assert.equal(result.vfs, 'memory');
        assert.ok(result.ms < 5000, `ready + first query took ${result.ms} ms`);
        assert.deepEqual(page.errors, []);
        await page.close();
      });

      it('runs the synchronous API in a Worker, memory VFS, every value type', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        const result = await inWorker(page, worker, `
          await lib.Database.ready();
          const db = new lib.Database(':memory:');
          db.exec('CREATE TABLE v(x)');
          const insert = db.prepare('INSERT INTO v VALUES (?)');
          for (const x of [1, -2.5, 2n ** 62n, 'héllo', new Uint8Array([0, 255]), null, Infinity, -Infinity, NaN]) insert.run(x);
          const rows = db.prepare('SELECT x, typeof(x) AS t FROM v').safeIntegers().all();
          db.close();
          return rows;
        `);
        assert.deepEqual(result, [
          { x: 1, t: 'real' }, { x: -2.5, t: 'real' }, { x: 2n ** 62n, t: 'integer' }, { x: 'héllo', t: 'text' },
          { x: new Uint8Array([0, 255]), t: 'blob' }, { x: null, t: 'null' }, { x: Infinity, t: 'real' },
          { x: -Infinity, t: 'real' }, { x: null, t: 'null' },
        ]);
        await page.close();
      });
    });

    describe('browser: tabs', () => {
      it('tabs of one origin share OPFS, Web Locks and BroadcastChannel; a closed tab lets go of its locks', async () => {
        // What test/81 (many tabs) takes for granted of the launcher's context, in each browser.
        const first = await openPage(browser);
        const second = await openPage(browser);
        await first.evaluate(async () => {
          const root = await navigator.storage.getDirectory();
          const writable = await (await root.getFileHandle('tabs.txt', { create: true })).createWritable();
          await writable.write('from the first tab');
          await writable.close();
          navigator.locks.request('tabs', () => new Promise(() => {})); // held until the tab closes
          globalThis.channel = new BroadcastChannel('tabs');
        });
        const seen = await second.evaluate(async () => {
          const root = await navigator.storage.getDirectory();
          const text = await (await (await root.getFileHandle('tabs.txt')).getFile()).text();
          const free = await navigator.locks.request('tabs', { ifAvailable: true }, (lock) => lock !== null);
          globalThis.heard = new Promise((resolve) => { new BroadcastChannel('tabs').onmessage = ({ data }) => resolve(data); });
          globalThis.granted = navigator.locks.request('tabs', () => 'granted');
          return { text, free, visibility: document.visibilityState };
        });
        assert.deepEqual(seen, { text: 'from the first tab', free: false, visibility: 'visible' });
        await first.evaluate(() => globalThis.channel.postMessage('hello'));
        assert.equal(await second.evaluate(() => globalThis.heard), 'hello');
        await first.close();
        assert.equal(await second.evaluate(() => globalThis.granted), 'granted');
        await second.close();
      });
    });

    describe('browser: opfs VFS', () => {
      it('keeps a database across a page reload, as a plain SQLite file', async () => {
        const page = await openPage(browser);
        let worker = await spawn(page);
        const written = await inWorker(page, worker, `
          const db = await lib.Database.open('reload.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)');
          const insert = db.prepare('INSERT INTO t(v) VALUES (?)');
          db.transaction(() => { for (let i = 0; i < 1000; i++) insert.run('row ' + i); })();
          insert.run('autocommit');
          const count = db.prepare('SELECT count(*) FROM t').pluck().get();
          db.close();
          return count;
        `);
        assert.equal(written, 1001);

        await page.reload();
        await page.waitForFunction(() => globalThis.harnessReady === true);
        worker = await spawn(page);
        const read = await inWorker(page, worker, `
          const db = await lib.Database.open('reload.db', { vfs: 'opfs', fileMustExist: true });
          const out = {
            count: db.prepare('SELECT count(*) FROM t').pluck().get(),
            last: db.prepare('SELECT v FROM t ORDER BY id DESC LIMIT 1').pluck().get(),
            integrity: db.pragma('integrity_check', { simple: true }),
          };
          db.close();
          return out;
        `);
        assert.deepEqual(read, { count: 1001, last: 'autocommit', integrity: 'ok' });
        // Beside the database, its journal and WAL stay as empty files: nothing hot is left.
        assert.deepEqual((await opfsNames(page)).filter((n) => n.startsWith('reload.db')), ['reload.db', 'reload.db-journal', 'reload.db-wal']);
        assert.equal((await opfsFile(page, 'reload.db-journal')).length, 0);
        assert.equal((await opfsFile(page, 'reload.db-wal')).length, 0);
        await page.close();
      });

      it('after close() the file is free at once: it can be removed, and opened again', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        const result = await inWorker(page, worker, `
          const root = await navigator.storage.getDirectory();
          const db = await lib.Database.open('free.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
          db.close();
          await root.removeEntry('free.db'); // would throw if a handle were still open
          const again = await lib.Database.open('free.db', { vfs: 'opfs' });
          const tables = again.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
          again.close();
          return tables;
        `);
        assert.equal(result, 0, 'the removed database is gone; a new, empty one was made');
        await page.close();
      });

      it('exports a database that native sqlite3 opens, integrity_check ok', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        await inWorker(page, worker, `
          const db = await lib.Database.open('export.db', { vfs: 'opfs' });
          db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB); CREATE INDEX t_v ON t(v)");
          const insert = db.prepare('INSERT INTO t(v, b) VALUES (?, randomblob(200))');
          db.transaction(() => { for (let i = 0; i < 3000; i++) insert.run('value ' + i); })();
          db.exec('DELETE FROM t WHERE id % 3 = 0');
          db.close();
        `);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opfs-export-')), 'export.db');
        fs.writeFileSync(file, await opfsFile(page, 'export.db'));
        const out = execFileSync('sqlite3', [file, 'PRAGMA integrity_check; SELECT count(*), max(id) FROM t;'], { encoding: 'utf8' });
        assert.equal(out, 'ok\n2000|2999\n');
        fs.rmSync(path.dirname(file), { recursive: true });
        await page.close();
      });

      it('rolls back a transaction that fails midway, and the journal of a Worker killed mid-transaction', async () => {
        const page = await openPage(browser);
        let worker = await spawn(page);
        const afterError = await inWorker(page, worker, `
          const db = await lib.Database.open('rollback.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
          db.prepare('INSERT INTO t(v) VALUES (?)').run('kept');
          const insert = db.prepare('INSERT INTO t(v) VALUES (?)');
          let error;
          try {
            db.transaction(() => { insert.run('lost 1'); insert.run('lost 2'); insert.run(null); })();
          } catch (e) {
            error = e.code;
          }
          const rows = db.prepare('SELECT v FROM t').pluck().all();
          db.close();
          return { error, rows };
        `);
        assert.deepEqual(afterError, { error: 'SQLITE_CONSTRAINT_NOTNULL', rows: ['kept'] });

        // A transaction big enough to spill into the database file, then the Worker is killed.
        const spilled = await inWorker(page, worker, `
          const db = await lib.Database.open('rollback.db', { vfs: 'opfs' });
          db.pragma('cache_size = 10');
          db.exec('BEGIN');
          const insert = db.prepare('INSERT INTO t(v) VALUES (?)');
          for (let i = 0; i < 5000; i++) insert.run('uncommitted ' + 'x'.repeat(100));
          globalThis.keep = db; // left open, mid-transaction
          return db.inTransaction;
        `);
        assert.equal(spilled, true);
        assert.ok((await opfsFile(page, 'rollback.db-journal')).length > 0, 'the journal is hot');
        await page.evaluate((w) => stopWorker(w), worker);

        worker = await spawn(page);
        const recovered = await inWorker(page, worker, `
          const db = await lib.Database.open('rollback.db', { vfs: 'opfs', timeout: 5000 });
          const out = {
            rows: db.prepare('SELECT v FROM t').pluck().all(),
            integrity: db.pragma('integrity_check', { simple: true }),
          };
          db.close();
          return out;
        `);
        assert.deepEqual(recovered, { rows: ['kept'], integrity: 'ok' });
        await page.close();
      });

      it('two Workers keep one database open and take turns; a write without the turn is SQLITE_BUSY at once, then goes through', async () => {
        const page = await openPage(browser);
        const first = await spawn(page);
        const second = await spawn(page);
        await inWorker(page, first, `
          const db = await lib.Database.open('shared.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
          globalThis.db = db;
        `);
        // The first keeps it open, idle: the second opens it and writes.
        await inWorker(page, second, `
          const db = await lib.Database.open('shared.db', { vfs: 'opfs', timeout: 10000 });
          db.exec('INSERT INTO t VALUES (2)');
          globalThis.db = db;
        `);
        // The turn is with the second: the first hears BUSY at once (no busy-wait of its 5 s
        // timeout), and its retry after yielding goes through.
        const retried = await inWorker(page, first, `
          const start = performance.now();
          let busy;
          try {
            globalThis.db.exec('INSERT INTO t VALUES (3)');
          } catch (e) {
            busy = { name: e.name, code: e.code, message: e.message, cause: e.cause?.message, ms: performance.now() - start };
          }
          let tries = 0;
          for (;;) {
            tries++;
            try {
              globalThis.db.exec('INSERT INTO t VALUES (3)');
              break;
            } catch (e) {
              if (e.code !== 'SQLITE_BUSY' || tries > 500) throw e;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          }
          return { busy, tries };
        `);
        assert.equal(retried.busy.name, 'SqliteError');
        assert.equal(retried.busy.code, 'SQLITE_BUSY');
        assert.match(retried.busy.cause, /database is locked: \/shared\.db is in use in another Worker or tab/);
        assert.ok(retried.busy.ms < 1000, `BUSY after ${retried.busy.ms} ms`);
        const seen = await inWorker(page, second, `
          for (let tries = 0; ; tries++) {
            try {
              return { rows: db.prepare('SELECT x FROM t ORDER BY x').pluck().all(), integrity: db.pragma('integrity_check', { simple: true }) };
            } catch (e) {
              if (e.code !== 'SQLITE_BUSY' || tries > 500) throw e;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          }
        `);
        assert.deepEqual(seen, { rows: [1, 2, 3], integrity: 'ok' });
        await inWorker(page, first, 'globalThis.db.close();');
        await inWorker(page, second, 'globalThis.db.close();');
        await page.close();
      });

      it('two Workers opening, writing and closing one database in turns lose nothing', async () => {
        const page = await openPage(browser);
        const rounds = Number(process.env.BROWSER_ROUNDS ?? 15);
        const workers = [await spawn(page), await spawn(page)];
        await inWorker(page, workers[0], `
          const db = await lib.Database.open('turns.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(worker INTEGER, round INTEGER)');
          db.close();
        `);
        const writer = `
          const [who, rounds] = args;
          for (let round = 0; round < rounds; round++) {
            const db = await lib.Database.open('turns.db', { vfs: 'opfs', timeout: 20000 });
            db.prepare('INSERT INTO t VALUES (?, ?)').run(who, round);
            db.close();
          }
        `;
        await Promise.all(workers.map((w, who) => inWorker(page, w, writer, who, rounds)));
        const result = await inWorker(page, workers[0], `
          const db = await lib.Database.open('turns.db', { vfs: 'opfs' });
          const out = {
            perWorker: db.prepare('SELECT worker, count(DISTINCT round) AS n FROM t GROUP BY worker').raw().all(),
            integrity: db.pragma('integrity_check', { simple: true }),
          };
          db.close();
          return out;
        `);
        assert.deepEqual(result, { perWorker: [[0, rounds], [1, rounds]], integrity: 'ok' });
        await page.close();
      });

      it('connections of one Worker share a database, in rollback and in WAL mode', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        const result = await inWorker(page, worker, `
          const a = await lib.Database.open('pair.db', { vfs: 'opfs' });
          const b = await lib.Database.open('pair.db', { vfs: 'opfs', timeout: 0 });
          a.exec('CREATE TABLE t(x)');
          a.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
          let busy;
          try { b.exec('INSERT INTO t VALUES (2)'); } catch (e) { busy = e.code; }
          a.exec('COMMIT');
          b.exec('INSERT INTO t VALUES (2)');
          const mode = a.pragma('journal_mode = WAL', { simple: true });
          a.exec('BEGIN; INSERT INTO t VALUES (3)');
          const readerSees = b.prepare('SELECT count(*) FROM t').pluck().get(); // WAL: readers go on
          a.exec('COMMIT');
          const out = { busy, mode, readerSees, count: b.prepare('SELECT count(*) FROM t').pluck().get() };
          a.close();
          b.close();
          const again = await lib.Database.open('pair.db', { vfs: 'opfs' });
          out.reopened = again.prepare('SELECT count(*) FROM t').pluck().get();
          out.integrity = again.pragma('integrity_check', { simple: true });
          again.close();
          return out;
        `);
        assert.deepEqual(result, { busy: 'SQLITE_BUSY', mode: 'wal', readerSees: 2, count: 3, reopened: 3, integrity: 'ok' });
        await page.close();
      });

      it('refuses bad input with clear errors and stays usable', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        const result = await inWorker(page, worker, `
          const attempt = async (fn) => { try { await fn(); return 'no error'; } catch (e) { return [e.name, e.code ?? null, e.message]; } };
          const out = {};
          out.unknownVfs = await attempt(() => lib.Database.open('x.db', { vfs: 'nope' }));
          out.leavesRoot = await attempt(() => lib.Database.open('../x.db', { vfs: 'opfs' }));
          out.missing = await attempt(() => lib.Database.open('missing.db', { vfs: 'opfs', fileMustExist: true }));
          out.withoutOpen = await attempt(() => new lib.Database('never-acquired.db', { vfs: 'opfs' }));
          // Chromium refuses a backslash in an OPFS name; Firefox takes it as a character.
          out.badName = await attempt(async () => (await lib.Database.open('back\\\\slash.db', { vfs: 'opfs' })).close());
          const db = await lib.Database.open('bad-input.db', { vfs: 'opfs' });
          out.attachUnopened = await attempt(() => db.exec("ATTACH 'other.db' AS other"));
          db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
          out.stillUsable = db.prepare('SELECT x FROM t').pluck().get();
          const other = await lib.Database.open('other.db', { vfs: 'opfs' });
          db.exec("ATTACH 'other.db' AS other; CREATE TABLE other.u(y); INSERT INTO other.u VALUES (2)");
          out.attached = db.prepare('SELECT y FROM other.u').pluck().get();
          db.close();
          other.close();
          return out;
        `);
        assert.deepEqual(result.unknownVfs, ['TypeError', null, 'Expected the "vfs" option to name a registered VFS, got nope']);
        assert.deepEqual(result.leavesRoot.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
        assert.match(result.leavesRoot[2], /leaves the OPFS root/);
        assert.deepEqual(result.missing.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
        assert.match(result.missing[2], /\/missing\.db does not exist/);
        assert.deepEqual(result.withoutOpen.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
        // The reason is in the message, not only in its cause.
        assert.match(result.withoutOpen[2], /^unable to open database file: \/never-acquired\.db is not open in this Worker: open an OPFS database with await Database\.open/);
        if (name === 'chromium') {
          assert.deepEqual(result.badName.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
          assert.match(result.badName[2], /^unable to open database file: \/back\\slash\.db /);
        } else {
          assert.equal(result.badName, 'no error');
        }
        assert.deepEqual(result.attachUnopened.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
        assert.equal(result.stillUsable, 1);
        assert.equal(result.attached, 2);
        assert.ok(!(await opfsNames(page)).includes('missing.db'), 'fileMustExist created nothing');

        const onMain = await onPage(page, async (lib) => {
          try {
            await lib.Database.open('main-thread.db', { vfs: 'opfs' });
            return 'opened';
          } catch (e) {
            return [e.name, e.code, e.message];
          }
        });
        assert.deepEqual(onMain.slice(0, 2), ['SqliteError', 'SQLITE_CANTOPEN']);
        assert.match(onMain[2], /needs a dedicated Worker.*openDatabase\(\)/);
        await page.close();
      });
    });

    describe('browser: the whole API in a Worker', () => {
      it('user functions, aggregates, virtual tables and a backup to another OPFS file', async () => {
        const page = await openPage(browser);
        const worker = await spawn(page);
        const result = await inWorker(page, worker, `
          const db = await lib.Database.open('whole-api.db', { vfs: 'opfs' });
          db.function('twice', (x) => x * 2);
          db.aggregate('joined', { start: () => [], step: (list, x) => { list.push(x); }, result: (list) => list.join('|') });
          db.table('series', { columns: ['v'], *rows(n) { for (let i = 1; i <= n; i++) yield [i]; } });
          db.exec('CREATE TABLE t(x); INSERT INTO t SELECT v FROM series(5)');
          const out = db.prepare('SELECT twice(sum(x)) AS s, joined(x) AS j FROM t').get();
          out.backup = await db.backup('whole-api-copy.db');
          db.close();
          const copy = await lib.Database.open('whole-api-copy.db', { vfs: 'opfs', fileMustExist: true });
          out.copied = copy.prepare('SELECT group_concat(x) FROM t').pluck().get();
          copy.close();
          const scratch = new lib.Database(':memory:');
          scratch.function('fails', () => { throw new RangeError('inside'); });
          try { scratch.prepare('SELECT fails()').get(); } catch (e) { out.thrown = [e.name, e.message]; }
          scratch.close();
          return out;
        `);
        assert.deepEqual(result, {
          // (A JS number is REAL, as in better-sqlite3: the copied values print as 1.0 and so on.)
          s: 30, j: '1|2|3|4|5', backup: { totalPages: 2, remainingPages: 0 }, copied: '1.0,2.0,3.0,4.0,5.0', thrown: ['RangeError', 'inside'],
        });
        await page.close();
      });
    });

    describe('browser: Worker API', () => {
      it('returns every value exactly as the synchronous API does', async () => {
        const page = await openPage(browser);
        const sql = 'SELECT x, typeof(x) AS t FROM v ORDER BY rowid';
        const values = `[0, 1, -1, 2 ** 53, 2n ** 63n - 1n, -(2n ** 63n), 0.5, -0, 1e308, Infinity, -Infinity, NaN,
          '', 'héllo wörld ✓ 😀', 'a\\u0000b', new Uint8Array(0), new Uint8Array([1, 2, 255]), null]`;
        const worker = await spawn(page);
        const direct = await inWorker(page, worker, `
          await lib.Database.ready();
          const db = new lib.Database(':memory:');
          db.exec('CREATE TABLE v(x)');
          const insert = db.prepare('INSERT INTO v VALUES (?)');
          for (const x of ${values}) insert.run(x);
          const st = db.prepare(${JSON.stringify(sql)});
          return { plain: st.all(), safe: st.safeIntegers().all(), raw: st.safeIntegers(false).raw().all() };
        `);
        const viaApi = await onPage(page, async (lib, valuesSource, query) => {
          const db = await lib.openDatabase(':memory:');
          await db.exec('CREATE TABLE v(x)');
          const insert = await db.prepare('INSERT INTO v VALUES (?)');
          // eslint-disable-next-line no-new-func
          for (const x of new Function(`return ${valuesSource}`)()) await insert.run(x);
          const st = await db.prepare(query);
          const out = { plain: await st.all(), safe: await st.safeIntegers().all(), raw: await st.safeIntegers(false).raw().all() };
          await db.close();
          return out;
        }, values, sql);
        assert.deepEqual(viaApi, direct);
        assert.equal(direct.plain.length, 18);
        assert.deepEqual(direct.safe[4], { x: 2n ** 63n - 1n, t: 'integer' });
        assert.deepEqual(direct.plain[11], { x: null, t: 'null' }, 'SQLite stores a bound NaN as NULL');
        await page.close();
      });

      it('forwards exec, prepare, run, get, all, iterate, pragma and transactions on OPFS', async () => {
        const page = await openPage(browser);
        const result = await onPage(page, async (lib) => {
          const db = await lib.openDatabase('api.db', { vfs: 'opfs' });
          await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
          const insert = await db.prepare('INSERT INTO t(v) VALUES (?)');
          const run = await insert.run('a');
          const tx = await db.transaction([['INSERT INTO t(v) VALUES (?)', ['b']], 'INSERT INTO t(v) VALUES (\'c\')'], { mode: 'immediate' });
          let failed;
          try {
            await db.transaction([['INSERT INTO t(v) VALUES (?)', ['d']], ['INSERT INTO t(v) VALUES (?)', ['a']]]);
          } catch (e) {
            failed = [e.name, e.code, e instanceof lib.SqliteError];
          }
          const select = await db.prepare('SELECT id, v FROM t ORDER BY id');
          const iterated = [];
          for await (const row of select.iterate()) iterated.push(row);
          const early = [];
          for await (const row of select.iterate()) {
            early.push(row.v);
            break;
          }
          const out = {
            run, tx, failed, iterated, early,
            get: await (await db.prepare('SELECT v FROM t WHERE id = ?')).get(2),
            pluck: await (await db.prepare('SELECT v FROM t ORDER BY id')).pluck().all(),
            afterBreak: await insert.run('e'), // the iterator was closed, so the database is free
            pragma: await db.pragma('journal_mode', { simple: true }),
            columns: select.columns().map((c) => c.name),
          };
          await db.close();
          let closed;
          try {
            await db.exec('SELECT 1');
          } catch (e) {
            closed = [e.name, e.message];
          }
          out.closed = closed;
          return out;
        });
        assert.deepEqual(result.run, { changes: 1, lastInsertRowid: 1 });
        assert.deepEqual(result.tx, [{ changes: 1, lastInsertRowid: 2 }, { changes: 1, lastInsertRowid: 3 }]);
        assert.deepEqual(result.failed, ['SqliteError', 'SQLITE_CONSTRAINT_UNIQUE', true]);
        assert.deepEqual(result.iterated, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }]);
        assert.deepEqual(result.early, ['a']);
        assert.deepEqual(result.get, { v: 'b' });
        assert.deepEqual(result.pluck, ['a', 'b', 'c']);
        assert.deepEqual(result.afterBreak, { changes: 1, lastInsertRowid: 4 });
        assert.equal(result.pragma, 'delete');
        assert.deepEqual(result.columns, ['id', 'v']);
        assert.deepEqual(result.closed, ['TypeError', 'The database connection is not open']);
        await page.close();
      });

      it('a terminated Worker rejects every call at once; a bad value is a TypeError', async () => {
        const page = await openPage(browser);
        const result = await onPage(page, async (lib) => {
          const worker = new lib.DatabaseWorker();
          const db = await lib.openDatabase(':memory:', { worker });
          const st = await db.prepare('SELECT ? AS x');
          let badValue;
          try {
            await st.get(() => 1);
          } catch (e) {
            badValue = [e.name, e.message];
          }
          const usable = await st.get(5);
          const pending = db.exec('SELECT 1');
          worker.terminate();
          const outcome = async (p) => p.then(() => 'resolved', (e) => e.message);
          return { badValue, usable, pending: await outcome(pending), after: await outcome(st.get(1)) };
        });
        assert.equal(result.badValue[0], 'TypeError');
        assert.match(result.badValue[1], /Cannot send this value to the database Worker/);
        assert.deepEqual(result.usable, { x: 5 });
        assert.equal(result.pending, 'The database Worker was terminated');
        assert.equal(result.after, 'The database Worker was terminated');
        await page.close();
      });

      it('a Worker script that cannot load rejects the open with a clear error instead of hanging', async () => {
        const page = await openPage(browser);
        const message = await onPage(page, async (lib) => {
          const worker = new lib.DatabaseWorker({ url: '/no/such/worker.js' });
          const outcome = await Promise.race([
            lib.openDatabase(':memory:', { worker }).then(() => 'opened', (e) => e.message),
            new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10000)),
          ]);
          worker.terminate();
          return outcome;
        });
        assert.match(message, /^The database Worker failed/);
        await page.close();
      });
    });

    describe('browser: storage full', () => {
      it('a write past the origin quota is SQLITE_FULL; the transaction rolls back and the database stays usable', async () => {
        // Chromium's quota is lowered at run time over CDP, to a little more than what is stored;
        // Firefox reads its storage limit once, at start-up, so it gets a browser of its own.
        const limited = name === 'firefox' ? await launchBrowser(name, { storageLimitMiB: 10 }) : browser;
        const page = await openPage(limited);
        const worker = await spawn(page);
        await inWorker(page, worker, `
          const db = await lib.Database.open('full.db', { vfs: 'opfs' });
          db.exec('CREATE TABLE t(b BLOB); INSERT INTO t VALUES (randomblob(1000))');
          globalThis.db = db;
        `);
        let restoreQuota = async () => {};
        if (name === 'chromium') {
          const cdp = await browser.context.newCDPSession(page);
          const { usage } = await page.evaluate(() => navigator.storage.estimate());
          await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin, quotaSize: usage + 2 * 1024 * 1024 });
          restoreQuota = () => cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin });
        }
        try {
          const result = await inWorker(page, worker, `
            const db = globalThis.db;
            const insert = db.prepare('INSERT INTO t VALUES (randomblob(100000))');
            let error;
            try {
              db.transaction(() => { for (let i = 0; i < 1000; i++) insert.run(); })();
            } catch (e) {
              error = { name: e.name, code: e.code, cause: e.cause?.name };
            }
            return { error, count: db.prepare('SELECT count(*) FROM t').pluck().get(), integrity: db.pragma('integrity_check', { simple: true }) };
          `);
          assert.deepEqual(result, {
            error: { name: 'SqliteError', code: 'SQLITE_FULL', cause: 'VfsError' },
            count: 1,
            integrity: 'ok',
          });
        } finally {
          await restoreQuota();
        }
        const after = await inWorker(page, worker, `
          globalThis.db.exec('INSERT INTO t VALUES (randomblob(10))');
          const count = globalThis.db.prepare('SELECT count(*) FROM t').pluck().get();
          globalThis.db.close();
          return count;
        `);
        assert.equal(after, 2);
        await page.close();
        if (limited !== browser) await limited.close();
      });
    });
  });
}
