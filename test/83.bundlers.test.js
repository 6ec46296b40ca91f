// Bundlers out of the box: the package as a user gets it (`npm pack`, unpacked into a project's
// node_modules, so Vite treats it as any installed dependency and pre-bundles it in dev), used
// through nothing more than `import { … } from 'sqlite-component'`, with Vite 8 (web/'s):
//   - a page that only calls openDatabase: built with no config, its own bundle without the
//     engine, run from `vite preview` and from the dev server (pre-bundling moves the package's
//     JS into node_modules/.vite/deps; its wasm and Worker URLs must still resolve);
//   - a Worker of the user's own, as the README writes it (top-level `await Database.open`):
//     `vite build` refuses it without `worker: { format: 'es' }` and runs it with that, in
//     preview and in dev.
// Each page is opened in Chromium and Firefox and reloaded: the data must still be there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserNames, launchBrowser } from './browser/browsers.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const viteEntry = path.join(root, 'web/node_modules/vite/dist/node/index.js');

// The user's project.
const files = {
  'package.json': JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  // The Worker API from a page: the engine runs in the package's Worker.
  'index.html': '<!doctype html><meta charset="utf-8"><pre id="out">…</pre><script type="module" src="./api.js"></script>',
  'api.js': `import { openDatabase } from 'sqlite-component';
try {
  const db = await openDatabase('api.db', { vfs: 'opfs' });
  await db.exec('CREATE TABLE IF NOT EXISTS visits(at INTEGER)');
  await db.exec('INSERT INTO visits VALUES (unixepoch())');
  const st = await db.prepare('SELECT count(*) AS visits, sqlite_version() AS version FROM visits');
  document.getElementById('out').textContent = JSON.stringify(await st.get());
} catch (e) {
  document.getElementById('out').textContent = 'error: ' + e.message;
}
`,
  // A Worker of the user's own, written as the README shows: top-level await.
  'own.html': '<!doctype html><meta charset="utf-8"><pre id="out">…</pre><script type="module" src="./own.js"></script>',
  'own.js': `const worker = new Worker(new URL('./own-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => { document.getElementById('out').textContent = JSON.stringify(data); };
worker.onerror = (e) => { document.getElementById('out').textContent = 'error: ' + (e.message ?? 'the Worker failed'); };
`,
  'own-worker.js': `import { Database } from 'sqlite-component';

const db = await Database.open('own.db', { vfs: 'opfs' });
db.exec('CREATE TABLE IF NOT EXISTS visits(at INTEGER)');
db.prepare('INSERT INTO visits VALUES (unixepoch())').run();
self.postMessage(db.prepare('SELECT count(*) AS visits, sqlite_version() AS version FROM visits').get());
`,
};

let vite;
let project;
const builds = {}; // name → { outDir, output }

// What Vite prints is not wanted in the test's output; errors still throw.
const quiet = { logLevel: 'silent', configFile: false };

before(async () => {
  if (!fs.existsSync(viteEntry)) throw new Error('web/node_modules is missing: run scripts/setup.sh, which installs it (npm ci --prefix web)');
  vite = await import(pathToFileURL(viteEntry).href);
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlers-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(project, name), text);
  // The package as npm would install it: what `npm pack` puts in the tarball, nothing else.
  // (--ignore-scripts: prepack would run setup.sh; the tree is already built.)
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  }));
  const installed = path.join(project, 'node_modules/sqlite-component');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', path.join(project, filename), '-C', installed, '--strip-components=1']);
});

after(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

async function build(name, input, config = {}) {
  const outDir = path.join(project, `dist-${name}`);
  const output = await vite.build({ ...quiet, root: project, ...config, build: { outDir, emptyOutDir: true, rollupOptions: { input: path.join(project, input) } } });
  builds[name] = { outDir, output: [output].flat().flatMap((o) => o.output) };
  return builds[name];
}

describe('vite build', () => {
  it('a page that only calls openDatabase builds with no config, and its bundle leaves the engine to the Worker', async () => {
    const { outDir, output } = await build('api', 'index.html');
    const entry = output.find((chunk) => chunk.type === 'chunk' && chunk.isEntry);
    const assets = output.map((o) => o.fileName);
    const size = Buffer.byteLength(entry.code);
    console.log(`# page bundle (openDatabase only): ${(size / 1000).toFixed(2)} kB; files: ${assets.join(', ')}`);
    // The page side of the Worker API is a few kB; the engine (~90 kB of JS) is in the Worker.
    assert.ok(size < 12000, `the page's bundle is ${size} bytes`);
    assert.doesNotMatch(entry.code, /compileStreaming|sqlite\.core/, 'no engine and no wasm in the page bundle');
    const worker = assets.find((f) => /worker-entry.*\.js$/.test(f));
    assert.ok(worker, assets.join(', '));
    assert.ok(fs.statSync(path.join(outDir, worker)).size > 80000, 'the engine is in the Worker');
    assert.ok(assets.some((f) => /sqlite\.core.*\.wasm$/.test(f)), assets.join(', '));
  });

  it('a Worker of the user\'s own with top-level await: refused in the default iife format, built with worker.format es', async () => {
    await assert.rejects(build('own-iife', 'own.html'), /Module format "iife" does not support top-level await/);
    const { output } = await build('own', 'own.html', { worker: { format: 'es' } });
    assert.ok(output.some((o) => /own-worker.*\.js$/.test(o.fileName)), output.map((o) => o.fileName).join(', '));
  });
});

// Serves what `vite preview` serves (the built files) or the dev server; resolves to its URL.
async function serve(kind, name) {
  const server = kind === 'dev'
    ? await vite.createServer({ ...quiet, root: project, server: { host: '127.0.0.1', port: 0 } })
    : await vite.preview({ ...quiet, root: project, build: { outDir: builds[name].outDir }, preview: { host: '127.0.0.1', port: 0 } });
  if (kind === 'dev') await server.listen();
  const { port } = server.httpServer.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

// Opens `url`, waits for the page's answer, reloads, waits again: the count must have grown.
async function visitTwice(browser, url) {
  const page = await browser.context.newPage();
  try {
    const answer = async () => {
      await page.waitForFunction(() => !document.getElementById('out')?.textContent.includes('…'), null, { timeout: 30000 });
      const text = await page.textContent('#out');
      assert.doesNotMatch(text, /^error/, text);
      return JSON.parse(text);
    };
    await page.goto(url);
    const first = await answer();
    await page.reload();
    const second = await answer();
    assert.equal(second.version, '3.54.1');
    assert.equal(second.visits, first.visits + 1, 'the data outlives the reload');
  } finally {
    await page.close();
  }
}

for (const name of browserNames) {
  describe(`the built and the dev pages run (${name})`, () => {
    let browser;
    const servers = [];

    before(async () => {
      browser = await launchBrowser(name);
    });

    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
      await browser?.close();
    });

    it('vite preview: the openDatabase page and the page with its own Worker', async () => {
      for (const build of ['api', 'own']) {
        const server = await serve('preview', build);
        servers.push(server);
        await visitTwice(browser, `${server.origin}/${build === 'api' ? 'index.html' : 'own.html'}`);
      }
    });

    it('vite dev server with no config: the package is pre-bundled into .vite/deps and both pages run', async () => {
      const server = await serve('dev');
      servers.push(server);
      await visitTwice(browser, `${server.origin}/index.html`);
      await visitTwice(browser, `${server.origin}/own.html`);
      assert.ok(fs.existsSync(path.join(project, 'node_modules/.vite/deps/sqlite-component.js')), 'the package was pre-bundled');
    });
  });
}
