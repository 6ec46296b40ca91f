// The web playground (web/), as a person uses it: its Vite build is made here, the built files
// served from 127.0.0.1, and the page driven in Chromium and in Firefox: a script run (typed
// cells, NULL beside '', blobs as hex, the table list, the history), an error with SQLite's
// message and code, a reload that keeps the data, two tabs on one database, a query plan as a
// tree, an import (and a file that is no database), an export, and a runaway query cancelled.
// Screenshots land in test/screenshots/ (not committed) for a person to look at; the assertions
// are on what the page shows, never on pixels.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStaticServer } from './browser/static-server.js';
import { browserNames, launchBrowser } from './browser/browsers.js';
import { Database } from '../src/node.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const web = path.join(root, 'web');
const vite = path.join(web, 'node_modules/vite/bin/vite.js');
const screenshots = path.join(root, 'test/screenshots');

let server;
let outDir;
let devServer; // web/'s `vite` dev server, for the last test

before(() => {
  if (!fs.existsSync(vite)) throw new Error('web/node_modules is missing: run scripts/setup.sh, which installs it (npm ci --prefix web)');
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'playground-'));
  const started = Date.now();
  execFileSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
  console.log(`# vite build of web/: ${Date.now() - started} ms`);
  fs.mkdirSync(screenshots, { recursive: true });
});

before(async () => {
  server = await startStaticServer({ root: outDir });
});

after(async () => {
  await server?.close();
  await devServer?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

// The playground, driven through what a person sees and does.
// Pages a test leaves open (it failed half-way) are closed after it, so none holds the
// database's turn into the next test.
const pages = new Set();

afterEach(async () => {
  await Promise.all([...pages].map((page) => page.close().catch(() => {})));
  pages.clear();
});

async function open(browser, { storage } = {}) {
  const page = await browser.context.newPage();
  pages.add(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.goto(`${server.origin}/index.html`);
  await ready(page);
  if (storage && (await page.getByTestId('storage').inputValue()) !== storage) {
    await page.getByTestId('storage').selectOption(storage);
    await ready(page);
  }
  return page;
}

// The database is open and nothing runs.
const ready = (page) => page.waitForFunction(() => {
  const run = document.querySelector('[data-testid=run]');
  return run && !run.disabled && !document.querySelector('[data-testid=status]').textContent.trim();
}, null, { timeout: 20000 });

// Puts a script in the editor as a paste would. Not locator.fill(): over WebDriver BiDi
// (Firefox) it sets the value so that React's change tracking misses it, and the editor's
// state keeps the old text; typing key by key works but takes long for a script.
const setEditor = (page, sql) => page.locator('textarea').evaluate((textarea, value) => {
  textarea.focus();
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(textarea, value);
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}, sql);

// Puts a script into the editor and runs it with Ctrl+Enter; resolves once it has finished.
async function run(page, sql) {
  await setEditor(page, sql);
  await page.locator('textarea').press('Control+Enter');
  await ready(page);
}

// The grid: column headers (name and types) and cells (text and type), as shown.
const grid = (page) => page.evaluate(() => {
  const table = document.querySelector('[data-testid=grid]');
  if (!table) return null;
  return {
    columns: [...table.querySelectorAll('thead th:not(.rownum)')].map((th) => ({
      name: th.querySelector('.col-name').textContent,
      types: th.querySelector('.col-types').textContent,
    })),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td:not(.rownum)')]
      .map((td) => ({ text: td.textContent, type: td.dataset.type }))),
  };
});

const text = async (page, testid) => ((await page.getByTestId(testid).count()) ? page.getByTestId(testid).innerText() : null);
const shoot = (page, browser, what) => page.screenshot({ path: path.join(screenshots, `playground-${browser.name}-${what}.png`) });

// A small database file, made with the package in Node.
function databaseFile() {
  const db = new Database(':memory:', { vfs: 'memory' });
  db.exec("CREATE TABLE birds(name TEXT, wingspan REAL); INSERT INTO birds VALUES ('swift', 0.42), ('albatross', 3.1)");
  const bytes = db.serialize();
  db.close();
  return bytes;
}

for (const name of browserNames) {
  describe(`playground (${name})`, () => {
    let browser;

    before(async () => {
      browser = await launchBrowser(name);
    });

    after(async () => {
      await browser?.close();
    });

    it('runs a script: typed cells, NULL beside an empty string, blobs as hex, the table list and the history', async () => {
      const page = await open(browser);
      assert.equal(await page.getByTestId('storage').inputValue(), 'opfs', 'OPFS, which persists, is the first choice');
      await run(page, `CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, score REAL, data BLOB);
INSERT INTO notes(body, score, data) VALUES ('hello', 4.5, x'c0ffee'), ('', NULL, NULL), ('x', 2, zeroblob(0));
SELECT * FROM notes;`);
      const shown = await grid(page);
      assert.deepEqual(shown.columns, [
        { name: 'id', types: 'INTEGER — integer' },
        { name: 'body', types: 'TEXT — text' },
        { name: 'score', types: 'REAL — real · null' },
        { name: 'data', types: 'BLOB — blob · null' },
      ]);
      assert.deepEqual(shown.rows, [
        [{ text: '1', type: 'integer' }, { text: 'hello', type: 'text' }, { text: '4.5', type: 'real' }, { text: "x'c0ffee'", type: 'blob' }],
        [{ text: '2', type: 'integer' }, { text: "''", type: 'empty' }, { text: 'NULL', type: 'null' }, { text: 'NULL', type: 'null' }],
        [{ text: '3', type: 'integer' }, { text: 'x', type: 'text' }, { text: '2.0', type: 'real' }, { text: "x''", type: 'blob' }],
      ]);
      assert.match(await text(page, 'summary'), /^3 statements · 3 rows changed · 3 rows returned · [\d.]+ ms$/);
      // The table list, with the columns of a table once it is opened.
      await page.locator('.table-name', { hasText: 'notes' }).click();
      assert.deepEqual((await page.locator('.columns li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ')),
        ['id INTEGER · key', 'body TEXT', 'score REAL', 'data BLOB']);
      assert.match(await text(page, 'history'), /CREATE TABLE notes/);
      await shoot(page, browser, 'result');
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('shows an error inline with SQLite\'s message and code, and which statement failed', async () => {
      const page = await open(browser);
      await run(page, 'SELECT 1;\nSELECT * FROM nowhere;');
      const error = await text(page, 'error');
      assert.match(error, /no such table: nowhere/);
      assert.match(error, /SQLITE_ERROR/);
      assert.match(error, /Statement 2, line 2/);
      await run(page, "INSERT INTO notes(id) VALUES (1)");
      assert.match(await text(page, 'error'), /UNIQUE constraint failed: notes\.id\s+SQLITE_CONSTRAINT_PRIMARYKEY/);
      await shoot(page, browser, 'error');
      await page.close();
    });

    it('keeps the data across a reload, with the editor and the history', async () => {
      const page = await open(browser);
      await run(page, 'SELECT count(*) AS n FROM notes');
      await page.reload();
      await ready(page);
      assert.equal(await page.locator('textarea').inputValue(), 'SELECT count(*) AS n FROM notes');
      await page.locator('textarea').press('Control+Enter');
      await ready(page);
      assert.deepEqual((await grid(page)).rows, [[{ text: '3', type: 'integer' }]]);
      assert.match(await text(page, 'tables'), /notes/);
      await page.close();
    });

    it('two tabs work on one database', async () => {
      const [a, b] = [await open(browser), await open(browser)];
      await run(a, "INSERT INTO notes(body) VALUES ('from tab a')");
      await run(b, "INSERT INTO notes(body) VALUES ('from tab b'); CREATE TABLE from_b(x)");
      // Tab a hears that b changed the database and lists its new table.
      await a.locator('.table-name', { hasText: 'from_b' }).waitFor({ timeout: 10000 });
      await run(a, "SELECT body FROM notes WHERE body LIKE 'from tab %' ORDER BY id");
      assert.deepEqual((await grid(a)).rows.map((r) => r[0].text), ['from tab a', 'from tab b']);
      await Promise.all([a.close(), b.close()]);
    });

    it('pages through a large result and keeps the first 10,000 rows of a longer one', async () => {
      const page = await open(browser);
      await run(page, 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 12345) SELECT x, printf(\'row %d\', x) AS label FROM c');
      assert.match(await text(page, 'summary'), /^1 statement · first 10,000 rows returned · [\d.]+ ms$/);
      assert.match(await text(page, 'pager'), /Rows 1–100 of 10,000 \(the first 10,000; the query has more\)/);
      assert.deepEqual((await grid(page)).rows.length, 100);
      await page.getByRole('button', { name: 'Next' }).click();
      assert.match(await text(page, 'pager'), /Rows 101–200 of 10,000/);
      assert.deepEqual((await grid(page)).rows[0], [{ text: '101', type: 'integer' }, { text: 'row 101', type: 'text' }]);
      await shoot(page, browser, 'paged');
      await page.close();
    });

    it('draws EXPLAIN QUERY PLAN as a tree, for the statement at the caret', async () => {
      const page = await open(browser);
      await setEditor(page, "SELECT 1;\nSELECT * FROM notes WHERE id IN (SELECT rowid FROM notes WHERE body = 'x') ORDER BY body;");
      await page.getByRole('button', { name: 'Explain' }).click();
      await ready(page);
      const plan = page.getByTestId('plan');
      const lines = await plan.locator('.plan-detail').allInnerTexts();
      assert.ok(lines.some((l) => /SEARCH notes USING INTEGER PRIMARY KEY/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /LIST SUBQUERY/.test(l)), lines.join('\n'));
      // The subquery's scan sits under it, one level down.
      assert.ok(await plan.locator('li li .plan-detail', { hasText: /SCAN notes/ }).count() >= 1);
      await shoot(page, browser, 'plan');
      await page.close();
    });

    it('imports a database file and opens it; a file that is no database is refused and the current one stays', async () => {
      const page = await open(browser);
      await page.getByTestId('import').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some text, no database here\n'.repeat(50)) });
      await ready(page);
      const refused = await text(page, 'notice');
      assert.match(refused, /notes\.txt is not a database SQLite can read: file is not a database \(SQLITE_NOTADB\)\. playground\.db stays open, unchanged\./);
      assert.equal(await page.getByTestId('database').inputValue(), 'playground.db');
      await shoot(page, browser, 'import-refused');

      await page.getByTestId('import').setInputFiles({ name: 'birds.db', mimeType: 'application/vnd.sqlite3', buffer: databaseFile() });
      await ready(page);
      assert.match(await text(page, 'notice'), /Imported birds\.db \([\d.]+ KiB\) as birds\.db, now open\./);
      assert.equal(await page.getByTestId('database').inputValue(), 'birds.db');
      await run(page, 'SELECT name, wingspan FROM birds ORDER BY wingspan');
      assert.deepEqual((await grid(page)).rows.map((r) => r.map((c) => c.text)), [['swift', '0.42'], ['albatross', '3.1']]);
      // It is a database of the storage now: kept across a reload, as the one chosen.
      await page.reload();
      await ready(page);
      assert.equal(await page.getByTestId('database').inputValue(), 'birds.db');
      assert.match(await text(page, 'tables'), /birds/);
      // With memory storage the copy lands in that storage's Worker, and is opened there.
      await page.getByTestId('storage').selectOption('memory');
      await ready(page);
      assert.equal(await page.getByTestId('database').inputValue(), 'playground.db');
      await page.getByTestId('import').setInputFiles({ name: 'birds.db', mimeType: 'application/vnd.sqlite3', buffer: databaseFile() });
      await ready(page);
      assert.equal(await page.getByTestId('database').inputValue(), 'birds.db');
      await run(page, 'SELECT count(*) FROM birds');
      assert.deepEqual((await grid(page)).rows, [[{ text: '2', type: 'integer' }]]);
      await page.getByTestId('storage').selectOption('opfs');
      await ready(page);
      assert.equal(await page.getByTestId('database').inputValue(), 'birds.db');
      await page.getByTestId('database').selectOption('playground.db');
      await ready(page);
      await page.close();
    });

    it('exports the current database as a file SQLite opens', async () => {
      const page = await open(browser);
      // What the page hands the browser to save: the Blob behind the link it clicks, and the
      // link's file name. (Playwright's Firefox over BiDi reports no download event; Chromium's
      // download is checked as well.)
      await page.evaluate(() => {
        const create = URL.createObjectURL;
        URL.createObjectURL = (blob) => {
          window.exported = blob;
          return create(blob);
        };
        const click = HTMLAnchorElement.prototype.click;
        HTMLAnchorElement.prototype.click = function () {
          window.exportedName = this.download;
          return click.call(this);
        };
      });
      const download = browser.name === 'chromium' ? page.waitForEvent('download', { timeout: 10000 }) : null;
      await page.getByRole('button', { name: 'Export' }).click();
      await ready(page);
      assert.match(await text(page, 'notice'), /Exported playground\.db \([\d.]+ KiB\)\./);
      const { name: fileName, base64 } = await page.evaluate(async () => ({
        name: window.exportedName,
        base64: new Uint8Array(await window.exported.arrayBuffer()).toBase64(),
      }));
      assert.equal(fileName, 'playground.db');
      const db = new Database(Buffer.from(base64, 'base64'));
      assert.ok(db.prepare('SELECT count(*) FROM notes').pluck().get() >= 5);
      db.close();
      if (download) assert.equal((await download).suggestedFilename(), 'playground.db');
      await page.close();
    });

    it('keeps an IndexedDB database across a reload', async () => {
      const page = await open(browser, { storage: 'indexeddb' });
      await run(page, "CREATE TABLE IF NOT EXISTS kept(x); INSERT INTO kept VALUES ('in IndexedDB'); SELECT count(*) FROM kept;");
      const before = Number((await grid(page)).rows[0][0].text);
      await page.reload();
      await ready(page);
      assert.equal(await page.getByTestId('storage').inputValue(), 'indexeddb', 'the storage last used');
      await run(page, 'SELECT count(*) FROM kept;');
      assert.equal(Number((await grid(page)).rows[0][0].text), before);
      await shoot(page, browser, 'indexeddb');
      await page.close();
    });

    it('stays responsive during a runaway query and cancels it by restarting the Worker, saying what that cost', async () => {
      const forever = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;';
      // (indexeddb's Worker would take an interrupt while it waits on storage; this query never
      // does, so the Worker is stopped there too, after a moment's try.)
      for (const storage of ['opfs', 'memory', 'indexeddb']) {
        const page = await open(browser, { storage });
        if (storage !== 'opfs') await run(page, 'CREATE TABLE IF NOT EXISTS scratch(x); INSERT INTO scratch VALUES (1)');
        await setEditor(page, forever);
        await page.getByTestId('run').click();
        await page.getByTestId('cancel').waitFor();
        // The page goes on: its clock ticks while the query runs in the Worker.
        await page.waitForFunction(() => /Running… (0\.[5-9]|[1-9]\d*\.\d) s/.test(document.querySelector('[data-testid=status]').textContent), null, { timeout: 10000 });
        if (storage === 'opfs') await shoot(page, browser, 'running');
        await page.getByTestId('cancel').click();
        await ready(page);
        const notice = await text(page, 'notice');
        assert.match(notice, /Query cancelled: its database Worker was stopped and playground\.db opened again in a new one\./);
        if (storage === 'memory') {
          assert.match(notice, /Memory storage lives in that Worker, so the data is lost and the database is empty\./);
          await run(page, 'SELECT count(*) FROM sqlite_schema');
          assert.deepEqual((await grid(page)).rows, [[{ text: '0', type: 'integer' }]]);
        } else {
          assert.match(notice, /What was committed is kept; whatever was not yet committed was rolled back\./);
          if (storage === 'opfs') await shoot(page, browser, 'cancelled');
          await run(page, storage === 'opfs' ? 'SELECT count(*) FROM notes' : 'SELECT count(*) FROM scratch');
          assert.ok(Number((await grid(page)).rows[0][0].text) >= (storage === 'opfs' ? 5 : 1));
        }
        await page.close();
      }
    });

    it('runs from the dev server (`npm run dev` in web/) as well', async () => {
      if (!devServer) {
        const vite = await import(pathToFileURL(path.join(web, 'node_modules/vite/dist/node/index.js')).href);
        devServer = await vite.createServer({ root: web, logLevel: 'silent', server: { port: 0 } });
        await devServer.listen();
      }
      const page = await browser.context.newPage();
      pages.add(page);
      await page.goto(`http://127.0.0.1:${devServer.httpServer.address().port}/`);
      await ready(page);
      // Another port, so another origin: a storage of its own.
      await run(page, "CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES ('dev'); SELECT x, count(*) OVER () AS n FROM t");
      assert.equal(await text(page, 'error'), null);
      assert.deepEqual((await grid(page)).rows[0], [{ text: 'dev', type: 'text' }, { text: '1', type: 'integer' }]);
    });
  });
}
