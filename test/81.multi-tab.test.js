// Many tabs on one OPFS database: pages of one origin (one browser context, so one OPFS) and
// their Workers keep the database open at once and take turns with it, a transaction at a time.
// BROWSER_INCREMENTS sets how many increments each participant makes: 50 in `npm test`, 200 in
// `npm run test:tabs` (the full size).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from './browser/static-server.js';
import { browserNames, launchBrowser } from './browser/browsers.js';
import { inWorker, onPage, openPage as openHarnessPage, spawn } from './browser/drive.js';

const increments = Number(process.env.BROWSER_INCREMENTS ?? 50);

let server;
let browser; // the browser of the describe running (one at a time)

before(async () => {
  server = await startStaticServer();
});

after(async () => {
  await server?.close();
});

const openPage = () => openHarnessPage(browser, server.origin);

// Increments counter `who` `count` times through the synchronous API in a Worker, each in its
// own transaction, retrying SQLITE_BUSY (the turn is elsewhere) after yielding.
const SYNC_INCREMENTS = `
  const [file, who, count] = args;
  const db = await lib.Database.open(file, { vfs: 'opfs', timeout: 30000 });
  const add = db.transaction(() => db.prepare('UPDATE counters SET n = n + 1 WHERE name = ?').run(who));
  let retries = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    for (;;) {
      try {
        add.immediate();
        break;
      } catch (e) {
        if (e.code !== 'SQLITE_BUSY') throw e;
        retries++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // as an app does between writes
  }
  const ms = performance.now() - start;
  db.close();
  return { retries, ms };
`;

// The same through the Worker API from a page: it waits for the turn itself, so no error at all.
async function pageIncrements(lib, file, who, count) {
  const db = await lib.openDatabase(file, { vfs: 'opfs', timeout: 30000, worker: new lib.DatabaseWorker() });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await db.transaction([['UPDATE counters SET n = n + 1 WHERE name = ?', [who]]]);
  }
  const ms = performance.now() - start;
  await db.close();
  return { ms };
}

// Point reads through the Worker API from a page, each its own read transaction.
async function pageReads(lib, file, count) {
  const db = await lib.openDatabase(file, { vfs: 'opfs', timeout: 30000, worker: new lib.DatabaseWorker() });
  const get = await db.prepare('SELECT n FROM counters WHERE name = ?');
  const start = performance.now();
  let total = 0;
  for (let i = 0; i < count; i++) total += await get.pluck().get(i % 2 ? 'a' : 'b');
  const ms = performance.now() - start;
  await db.close();
  return { ms, total };
}

async function createCounters(page, file, names) {
  const worker = await spawn(page);
  await inWorker(page, worker, `
    const [file, names] = args;
    const db = await lib.Database.open(file, { vfs: 'opfs' });
    db.exec('CREATE TABLE counters(name TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    for (const name of names) db.prepare('INSERT INTO counters VALUES (?, 0)').run(name);
    db.close();
  `, file, names);
  return worker;
}

async function counters(page, worker, file) {
  return inWorker(page, worker, `
    const db = await lib.Database.open(args[0], { vfs: 'opfs', timeout: 30000 });
    const out = {
      counts: Object.fromEntries(db.prepare('SELECT name, n FROM counters').raw().all()),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
    db.close();
    return out;
  `, file);
}

for (const name of browserNames) describe(`many tabs on one opfs database (${name})`, () => {
  before(async () => {
    browser = await launchBrowser(name);
  });

  after(async () => {
    await browser?.close();
    browser = null;
  });

  it(`two pages and two Workers increment counters ${increments} times each at once: every increment counts`, async () => {
    const pages = [await openPage(), await openPage()];
    const names = ['page0', 'page1', 'worker0', 'worker1'];
    const checker = await createCounters(pages[0], 'tabs.db', names);
    const workers = [await spawn(pages[0]), await spawn(pages[1])];
    const started = Date.now();
    const results = await Promise.all([
      onPage(pages[0], pageIncrements, 'tabs.db', 'page0', increments),
      onPage(pages[1], pageIncrements, 'tabs.db', 'page1', increments),
      inWorker(pages[0], workers[0], SYNC_INCREMENTS, 'tabs.db', 'worker0', increments),
      inWorker(pages[1], workers[1], SYNC_INCREMENTS, 'tabs.db', 'worker1', increments),
    ]);
    const elapsed = Date.now() - started;
    const { counts, integrity } = await counters(pages[0], checker, 'tabs.db');
    assert.deepEqual(counts, Object.fromEntries(names.map((name) => [name, increments])));
    assert.equal(integrity, 'ok');
    const retries = results[2].retries + results[3].retries;
    console.log(`# ${browser.name}: ${4 * increments} increments from 2 pages and 2 Workers in ${elapsed} ms `
      + `(${(elapsed / (4 * increments)).toFixed(2)} ms each); the Workers retried SQLITE_BUSY ${retries} times`);
    await Promise.all(pages.map((page) => page.close()));
  });

  it('what a transaction costs: one tab alone, then two tabs writing at once', async () => {
    const pages = [await openPage(), await openPage()];
    const checker = await createCounters(pages[0], 'cost.db', ['a', 'b']);
    const alone = await onPage(pages[0], pageIncrements, 'cost.db', 'a', increments);
    const together = await Promise.all([
      onPage(pages[0], pageIncrements, 'cost.db', 'a', increments),
      onPage(pages[1], pageIncrements, 'cost.db', 'b', increments),
    ]);
    const { counts, integrity } = await counters(pages[0], checker, 'cost.db');
    assert.deepEqual(counts, { a: 2 * increments, b: increments });
    assert.equal(integrity, 'ok');
    const slowest = Math.max(...together.map((r) => r.ms));
    console.log(`# ${browser.name}: a transaction through the Worker API: ${(alone.ms / increments).toFixed(2)} ms with one tab; `
      + `${(slowest / (2 * increments)).toFixed(2)} ms with two tabs taking turns (${2 * increments} in ${slowest.toFixed(0)} ms)`);
    // Reads take turns too (SQLite reads under a SHARED lock, which needs the handles).
    const reads = 4 * increments;
    const readAlone = await onPage(pages[0], pageReads, 'cost.db', reads);
    const readTogether = await Promise.all(pages.map((page) => onPage(page, pageReads, 'cost.db', reads)));
    for (const r of [readAlone, ...readTogether]) assert.equal(r.total, reads / 2 * (3 * increments));
    const slowestRead = Math.max(...readTogether.map((r) => r.ms));
    console.log(`# ${browser.name}: a point read through the Worker API: ${(readAlone.ms / reads).toFixed(3)} ms with one tab; `
      + `${(slowestRead / (2 * reads)).toFixed(3)} ms with two tabs reading at once`);
    await Promise.all(pages.map((page) => page.close()));
  });

  it('a page closed in the middle of a write transaction: the others find the database intact and go on', async () => {
    const [holder, other] = [await openPage(), await openPage()];
    const checker = await createCounters(other, 'closed.db', ['a', 'b']);
    const worker = await spawn(holder);
    await inWorker(holder, worker, `
      const db = await lib.Database.open('closed.db', { vfs: 'opfs' });
      db.exec("UPDATE counters SET n = 1 WHERE name = 'a'");
      db.exec('BEGIN IMMEDIATE');
      db.exec("UPDATE counters SET n = 99 WHERE name = 'a'; UPDATE counters SET n = 99 WHERE name = 'b'");
      for (let i = 0; i < 300; i++) db.exec(\`INSERT INTO counters VALUES ('x\${i}', \${i})\`); // past the cache: pages in the file
      globalThis.db = db; // the transaction stays open
    `);
    // The other page waits for the turn while the transaction is open...
    const waiting = onPage(other, async (lib) => {
      const db = await lib.openDatabase('closed.db', { vfs: 'opfs', timeout: 30000, worker: new lib.DatabaseWorker() });
      const rows = await (await db.prepare('SELECT name, n FROM counters ORDER BY name')).all();
      await db.close();
      return rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ...and gets it when the page closes; the half-done transaction is gone.
    await holder.close();
    assert.deepEqual(await waiting, [{ name: 'a', n: 1 }, { name: 'b', n: 0 }]);
    assert.equal((await counters(other, checker, 'closed.db')).integrity, 'ok');
    await other.close();
  });

  it('a Worker terminated by its page in the middle of a write transaction lets go of the database', async () => {
    const page = await openPage();
    const checker = await createCounters(page, 'terminated.db', ['a']);
    const doomed = await spawn(page);
    await inWorker(page, doomed, `
      const db = await lib.Database.open('terminated.db', { vfs: 'opfs' });
      db.exec("BEGIN IMMEDIATE; UPDATE counters SET n = 5 WHERE name = 'a'");
      globalThis.db = db;
    `);
    const other = await spawn(page);
    const waiting = inWorker(page, other, `
      const db = await lib.Database.open('terminated.db', { vfs: 'opfs', timeout: 30000 });
      const n = db.prepare('SELECT n FROM counters').pluck().get();
      db.close();
      return n;
    `);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await page.evaluate((id) => stopWorker(id), doomed);
    assert.equal(await waiting, 0);
    assert.equal((await counters(page, checker, 'terminated.db')).integrity, 'ok');
    await page.close();
  });

  it('a database in WAL mode stays with its Worker (the wal-index is in its memory): another gets SQLITE_BUSY saying so', async () => {
    const page = await openPage();
    const [holder, other] = [await spawn(page), await spawn(page)];
    await inWorker(page, holder, `
      const db = await lib.Database.open('wal-tabs.db', { vfs: 'opfs' });
      db.exec('PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1)');
      globalThis.db = db;
    `);
    const refused = await inWorker(page, other, `
      try {
        await lib.Database.open('wal-tabs.db', { vfs: 'opfs', timeout: 600 });
        return 'opened';
      } catch (e) {
        return [e.name, e.code, e.message];
      }
    `);
    assert.deepEqual(refused.slice(0, 2), ['SqliteError', 'SQLITE_BUSY']);
    assert.match(refused[2], /wal-tabs\.db is in WAL mode in another Worker or tab, and WAL works within one Worker/);
    // Back to a rollback journal, the database is shared again.
    await inWorker(page, holder, "globalThis.db.exec('PRAGMA journal_mode=DELETE'); globalThis.db.close();");
    const shared = await inWorker(page, other, `
      const db = await lib.Database.open('wal-tabs.db', { vfs: 'opfs', timeout: 5000 });
      const rows = db.prepare('SELECT x FROM t').pluck().all();
      db.close();
      return rows;
    `);
    assert.deepEqual(shared, [1]);
    await page.close();
  });

  it('another version of the package in another tab: its messages are not understood, and a wait ends in a clear error', async () => {
    const page = await openPage();
    const [holder, foreign] = [await spawn(page), await spawn(page)];
    await inWorker(page, holder, `
      const db = await lib.Database.open('versions.db', { vfs: 'opfs' });
      db.exec('CREATE TABLE t(x)');
      globalThis.db = db;
    `);
    // A message of another protocol version asks for the turn: not understood, so not given.
    const kept = await inWorker(page, foreign, `
      new BroadcastChannel('sqlite-component/opfs').postMessage({ v: 999, want: '/versions.db' });
      await new Promise((resolve) => setTimeout(resolve, 300));
    `).then(() => inWorker(page, holder, "globalThis.db.exec('INSERT INTO t VALUES (1)'); return 'kept';"));
    assert.equal(kept, 'kept');
    // A context that holds the database's lock and answers nothing: the wait ends at the timeout.
    await inWorker(page, holder, 'globalThis.db.close();');
    await inWorker(page, foreign, `
      globalThis.held = new Promise((resolve) => {
        navigator.locks.request('sqlite-component/opfs:/versions.db', () => new Promise((release) => {
          globalThis.release = release;
          resolve();
        }));
      });
      await globalThis.held;
    `);
    const refused = await inWorker(page, holder, `
      const start = performance.now();
      try {
        await lib.Database.open('versions.db', { vfs: 'opfs', timeout: 500 });
        return 'opened';
      } catch (e) {
        return [e.name, e.code, e.message, performance.now() - start];
      }
    `);
    assert.deepEqual(refused.slice(0, 2), ['SqliteError', 'SQLITE_BUSY']);
    assert.match(refused[2], /database is locked: \/versions\.db is in use in another Worker or tab/);
    assert.ok(refused[3] >= 400 && refused[3] < 5000, `refused after ${refused[3]} ms`);
    await inWorker(page, foreign, 'globalThis.release();');
    await page.close();
  });

  it('a tab that opens while another holds a long write transaction waits, then succeeds', async () => {
    const [writer, late] = [await openPage(), await openPage()];
    await createCounters(writer, 'long.db', ['a']);
    const worker = await spawn(writer);
    const holding = inWorker(writer, worker, `
      const db = await lib.Database.open('long.db', { vfs: 'opfs' });
      db.exec("BEGIN IMMEDIATE; UPDATE counters SET n = 7 WHERE name = 'a'");
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the turn stays: a lock is held
      db.exec('COMMIT');
      db.close();
    `);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const opened = await onPage(late, async (lib) => {
      const start = performance.now();
      const db = await lib.openDatabase('long.db', { vfs: 'opfs', timeout: 30000, worker: new lib.DatabaseWorker() });
      const row = await (await db.prepare('SELECT n FROM counters')).pluck().get();
      const ms = performance.now() - start;
      await db.close();
      return { row, ms };
    });
    await holding;
    assert.equal(opened.row, 7);
    assert.ok(opened.ms > 1000, `answered after ${opened.ms} ms, inside the other's transaction`);
    console.log(`# ${browser.name}: a tab's first answer while another held a 1.5 s write transaction: ${opened.ms.toFixed(0)} ms`);
    await Promise.all([writer.close(), late.close()]);
  });

  it('a tab reloaded in the middle of its work: the other tab goes on, nothing is lost or half-done', async () => {
    const [reloaded, steady] = [await openPage(), await openPage()];
    const checker = await createCounters(steady, 'reload.db', ['reloaded', 'steady']);
    // The reloaded tab keeps the count of increments it was told of in localStorage, which
    // outlives the reload.
    await reloaded.evaluate(() => {
      localStorage.setItem('acknowledged', '0');
      (async () => {
        const lib = await import('/dist/browser.js');
        const db = await lib.openDatabase('reload.db', { vfs: 'opfs', timeout: 30000, worker: new lib.DatabaseWorker() });
        for (let n = 1; ; n++) {
          await db.transaction([["UPDATE counters SET n = n + 1 WHERE name = 'reloaded'"]]);
          localStorage.setItem('acknowledged', String(n));
        }
      })();
    });
    const steadyWork = onPage(steady, pageIncrements, 'reload.db', 'steady', 100);
    await reloaded.waitForFunction(() => Number(localStorage.getItem('acknowledged')) >= 20);
    await reloaded.reload();
    await reloaded.waitForFunction(() => globalThis.harnessReady === true);
    const acknowledged = await reloaded.evaluate(() => Number(localStorage.getItem('acknowledged')));
    await steadyWork;
    await onPage(reloaded, pageIncrements, 'reload.db', 'reloaded', 10);
    const { counts, integrity } = await counters(steady, checker, 'reload.db');
    assert.equal(integrity, 'ok');
    assert.equal(counts.steady, 100);
    // Every acknowledged increment is there; the one in flight as the page went may be too.
    assert.ok(counts.reloaded >= acknowledged + 10, `${counts.reloaded} < ${acknowledged} + 10`);
    assert.ok(counts.reloaded <= acknowledged + 11, `${counts.reloaded} > ${acknowledged} + 11`);
    await Promise.all([reloaded.close(), steady.close()]);
  });
});
