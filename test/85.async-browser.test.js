// Async storage and interrupts in real browsers (Chromium and Firefox ESR): the Worker API's
// interrupt() in a cross-origin isolated page (a shared flag reaches a synchronous database's
// running statement) and in one that is not (it cannot, and says so); databases on the
// indexeddb VFS through JSPI, on the page's main thread and through the Worker API: reloads,
// tabs sharing one database, a tab closed in the middle of a transaction, cancelling a query,
// and IndexedDB that cannot be opened.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from './browser/static-server.js';
import { browserNames, launchBrowser } from './browser/browsers.js';
import { onPage, openPage } from './browser/drive.js';

let server;
let isolatedServer;

before(async () => {
  server = await startStaticServer();
  isolatedServer = await startStaticServer({ isolated: true });
});

after(async () => {
  await server?.close();
  await isolatedServer?.close();
});

// A query that runs for minutes unless stopped.
const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000000000) SELECT count(*) FROM c';

for (const name of browserNames) {
  describe(name, () => {
    let browser;

    before(async () => {
      browser = await launchBrowser(name);
    });

    after(async () => {
      await browser?.close();
    });

    it('interrupt() stops a statement running in the Worker of a cross-origin isolated page', async () => {
      const page = await openPage(browser, isolatedServer.origin);
      const result = await onPage(page, async (lib, sql) => {
        const db = await lib.openDatabase(':memory:', { worker: new lib.DatabaseWorker() });
        const running = db.prepare(sql).then((st) => st.get());
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = performance.now();
        const interruptible = await db.interrupt();
        const error = await running.then(() => null, (e) => ({ name: e.name, code: e.code }));
        const ms = performance.now() - started;
        const after = await (await db.prepare('SELECT 42 AS x')).get();
        return { isolated: crossOriginIsolated, interruptible, error, ms, after };
      }, endless);
      assert.equal(result.isolated, true);
      assert.equal(result.interruptible, true);
      assert.deepEqual(result.error, { name: 'SqliteError', code: 'SQLITE_INTERRUPT' });
      assert.ok(result.ms < 3000, `stopped after ${result.ms} ms`);
      assert.deepEqual(result.after, { x: 42 });
      await page.close();
    });

    it('without isolation a synchronous database is not interruptible, and says so', async () => {
      const page = await openPage(browser, server.origin);
      const result = await onPage(page, async (lib) => {
        const db = await lib.openDatabase(':memory:', { worker: new lib.DatabaseWorker() });
        const interruptible = db.interruptible;
        const answer = await db.interrupt();
        const row = await (await db.prepare('SELECT 1 AS x')).get();
        await db.close();
        return { interruptible, answer, row };
      });
      assert.deepEqual(result, { interruptible: false, answer: false, row: { x: 1 } });
      await page.close();
    });

    describe('indexeddb', () => {
      it('opens on the page\'s main thread as an AsyncDatabase, and the data survives a reload', async () => {
        const page = await openPage(browser, server.origin);
        const first = await onPage(page, async (lib) => {
          const db = await lib.Database.open('reload.db', { vfs: 'indexeddb' });
          await db.exec('DROP TABLE IF EXISTS notes; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, data BLOB)');
          const insert = await db.prepare('INSERT INTO notes(body, data) VALUES (?, ?)');
          for (let i = 0; i < 100; i++) await insert.run(`note ${i}`, new Uint8Array([i, 255 - i]));
          const async = db instanceof lib.AsyncDatabase;
          await db.close();
          return { async };
        });
        assert.deepEqual(first, { async: true });
        await page.reload();
        await page.waitForFunction(() => globalThis.harnessReady === true);
        const second = await onPage(page, async (lib) => {
          const db = await lib.Database.open('reload.db', { vfs: 'indexeddb' });
          const st = await db.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes, max(body) AS last FROM notes');
          const row = await st.get();
          const check = await db.pragma('integrity_check', { simple: true });
          await db.close();
          return { row, check };
        });
        assert.deepEqual(second, { row: { n: 100, bytes: 200, last: 'note 99' }, check: 'ok' });
        await page.close();
      });

      it('ATTACHes another indexeddb database with no Database.open of it first', async () => {
        const page = await openPage(browser, server.origin);
        const result = await onPage(page, async (lib) => {
          const db = await lib.Database.open('main-attach.db', { vfs: 'indexeddb' });
          await db.exec("ATTACH 'other-attach.db' AS other; DROP TABLE IF EXISTS other.t; CREATE TABLE other.t(x); INSERT INTO other.t VALUES ('attached')");
          await db.exec('DETACH other');
          await db.close();
          const other = await lib.Database.open('other-attach.db', { vfs: 'indexeddb' });
          const x = await (await other.prepare('SELECT x FROM t')).pluck().get();
          await other.close();
          return x;
        });
        assert.equal(result, 'attached');
        await page.close();
      });

      it('two tabs write one database at once, and every increment counts', async () => {
        const pages = [await openPage(browser, server.origin), await openPage(browser, server.origin)];
        await onPage(pages[0], async (lib) => {
          const db = await lib.Database.open('tabs.db', { vfs: 'indexeddb' });
          await db.exec('DROP TABLE IF EXISTS counter; CREATE TABLE counter(n); INSERT INTO counter VALUES (0)');
          await db.close();
        });
        const increments = 25;
        const run = (page) => onPage(page, async (lib, n) => {
          const db = await lib.Database.open('tabs.db', { vfs: 'indexeddb', timeout: 20000 });
          for (let i = 0; i < n; i++) await db.transaction(['UPDATE counter SET n = n + 1'], { mode: 'immediate' });
          await db.close();
        }, increments);
        await Promise.all(pages.map(run));
        const total = await onPage(pages[1], async (lib) => {
          const db = await lib.Database.open('tabs.db', { vfs: 'indexeddb' });
          const n = await (await db.prepare('SELECT n FROM counter')).pluck().get();
          await db.close();
          return n;
        });
        assert.equal(total, 2 * increments);
        for (const page of pages) await page.close();
      });

      it('a tab closed in the middle of a transaction leaves the last committed state to the next', async () => {
        const writer = await openPage(browser, server.origin);
        await onPage(writer, async (lib) => {
          const db = await lib.Database.open('closed.db', { vfs: 'indexeddb' });
          await db.exec('DROP TABLE IF EXISTS t; CREATE TABLE t(x); INSERT INTO t VALUES (1)');
          await db.exec("PRAGMA cache_size = 5; BEGIN; INSERT INTO t SELECT randomblob(2000) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 500) SELECT x FROM c)");
          // Left open, uncommitted (its cache spilled pages to the file): the tab goes away.
        });
        await writer.close();
        const reader = await openPage(browser, server.origin);
        const result = await onPage(reader, async (lib) => {
          const db = await lib.Database.open('closed.db', { vfs: 'indexeddb', timeout: 10000 });
          const count = await (await db.prepare('SELECT count(*) FROM t')).pluck().get();
          const check = await db.pragma('integrity_check', { simple: true });
          await db.exec('INSERT INTO t VALUES (2)'); // and the lock is free
          await db.close();
          return { count, check };
        });
        assert.deepEqual(result, { count: 1, check: 'ok' });
        await reader.close();
      });

      it('through the Worker API, and a query waiting on storage can be interrupted without isolation', async () => {
        const page = await openPage(browser, server.origin);
        const result = await onPage(page, async (lib) => {
          const db = await lib.openDatabase('worker.db', { vfs: 'indexeddb', worker: new lib.DatabaseWorker() });
          await db.exec("DROP TABLE IF EXISTS big; CREATE TABLE big(x, pad); INSERT INTO big SELECT value, randomblob(500) FROM (WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value+1 FROM c LIMIT 3000) SELECT value FROM c)");
          await db.exec('PRAGMA cache_size = 2');
          const running = db.prepare('SELECT count(*) FROM big a, big b WHERE a.pad < b.pad').then((st) => st.get());
          await new Promise((resolve) => setTimeout(resolve, 300));
          const interruptible = await db.interrupt();
          const error = await running.then(() => null, (e) => e.code);
          const n = await (await db.prepare('SELECT count(*) AS n FROM big')).get();
          await db.close();
          return { interruptible, error, n };
        });
        assert.deepEqual(result, { interruptible: true, error: 'SQLITE_INTERRUPT', n: { n: 3000 } });
        await page.close();
      });

      it('IndexedDB that cannot be opened is a clear SQLITE_CANTOPEN at open', async () => {
        const page = await openPage(browser, server.origin);
        const result = await onPage(page, async (lib) => {
          const { open } = indexedDB;
          indexedDB.open = () => {
            throw new DOMException('The user denied permission to access the database.', 'SecurityError');
          };
          try {
            await lib.Database.open('denied.db', { vfs: 'indexeddb' });
            return 'opened';
          } catch (e) {
            return { name: e.name, code: e.code, message: e.message };
          } finally {
            indexedDB.open = open;
          }
        });
        assert.equal(result.name, 'SqliteError');
        assert.match(result.code, /^SQLITE_CANTOPEN/);
        assert.match(result.message, /IndexedDB/);
        await page.close();
      });
    });
  });
}
