// The package's host entries: Node's and the browser's, picked by package.json conditions.
// The browser entry must not reach a node: module anywhere in its import graph.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

// Every module `entry` imports, transitively, by URL; bare and node: specifiers as found.
function importGraph(entry) {
  const seen = new Set();
  const external = new Set();
  const visit = (url) => {
    if (seen.has(url.href)) return;
    seen.add(url.href);
    const source = readFileSync(url, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)]
      .map((m) => m[1] ?? m[2]);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(new URL(specifier, url));
      else external.add(specifier);
    }
  };
  visit(new URL(entry, root));
  return { modules: [...seen].map((href) => fileURLToPath(href).slice(fileURLToPath(root).length)), external: [...external] };
}

// Node's resolution of an exports entry under a set of conditions (first matching key wins).
function resolveExport(target, conditions) {
  if (typeof target === 'string') return target;
  for (const [key, value] of Object.entries(target)) {
    if (key === 'default' || conditions.includes(key)) return resolveExport(value, conditions);
  }
  return null;
}

describe('entries', () => {
  it('the browser entry imports no node: module and nothing outside the package', () => {
    const { modules, external } = importGraph('src/browser.js');
    assert.deepEqual(external, []);
    assert.ok(modules.includes('src/vfs/opfs.js') && modules.includes('src/worker/client.js'), modules.join(' '));
    assert.ok(!modules.some((m) => /node-fs|file-locks|dir-lock|shm-file|src\/node\.js/.test(m)), modules.join(' '));
    // The Worker the Worker API starts is part of the browser's graph too.
    assert.deepEqual(importGraph('src/worker/worker-entry.js').external, []);
  });

  it('the page side of the Worker API reaches no engine, and the Worker no page side', () => {
    // What lets a bundler leave the engine out of a page that only calls openDatabase
    // (test/83 measures that bundle): the engine is browser-engine.js, a module of its own.
    assert.deepEqual(importGraph('src/worker/client.js').modules.sort(), ['src/errors.js', 'src/worker/client.js']);
    assert.ok(!importGraph('src/worker/worker-entry.js').modules.includes('src/worker/client.js'));
    // package.json says which files have side effects: not the entry and not the engine's chunk,
    // so an unused engine is dropped; the Worker's entry and the sources do.
    assert.deepEqual(manifest.sideEffects, ['./src/**', './cli/**', './dist/js/**', './dist/worker-entry.js', './dist/node.js']);
  });

  it('the browser entry names every core module the glue asks for by a literal URL', async () => {
    const { coreModuleUrls } = await import('../src/browser.js');
    const { coreModuleNames } = await import('../src/component.js');
    assert.deepEqual(Object.keys(coreModuleUrls), coreModuleNames);
    for (const [name, url] of Object.entries(coreModuleUrls)) assert.ok(url.href.endsWith(`/dist/js/${name}`), url.href);
  });

  it('the Node entry is the only one that reaches node-fs', () => {
    const { external } = importGraph('src/node.js');
    assert.ok(external.every((s) => s.startsWith('node:') || s === 'fs-native-extensions'), external.join(' '));
  });

  it('the Node bundle is one module, as new as src/, exporting what src/node.js does', async () => {
    const { modules, external } = importGraph('dist/node.js');
    // The JSPI glue stays outside, loaded by the first database on an async VFS.
    assert.deepEqual(modules, ['dist/node.js', 'dist/js/sqlite-async.js']);
    assert.ok(external.every((s) => s.startsWith('node:') || s === 'fs-native-extensions'), external.join(' '));
    const built = statSync(new URL('dist/node.js', root)).mtimeMs;
    const newer = readdirSync(new URL('src/', root), { recursive: true })
      .filter((name) => name.endsWith('.js') && statSync(new URL(`src/${name}`, root)).mtimeMs > built);
    assert.deepEqual(newer, [], 'src/ changed since dist/node.js was built: run scripts/build.sh');
    const bundled = await import('../dist/node.js');
    assert.deepEqual(Object.keys(bundled).sort(), Object.keys(await import('../src/node.js')).sort());
    const db = new bundled.Database(':memory:');
    assert.deepEqual(db.prepare('SELECT 1 + 1 AS two').get(), { two: 2 });
    db.close();
  });

  it('package.json picks node.js for Node and browser.js for browsers, Workers and bundlers by default', () => {
    const main = manifest.exports['.'];
    // Node gets src/node.js bundled into one file too (from CommonJS through src/node.cjs).
    assert.equal(resolveExport(main, ['node', 'import']), './dist/node.js');
    assert.equal(resolveExport(main, ['node', 'require']), './src/node.cjs');
    // The browser gets src/browser.js bundled into one file by scripts/build.sh.
    assert.equal(resolveExport(main, ['browser', 'import']), './dist/browser.js');
    assert.equal(resolveExport(main, ['worker', 'import']), './dist/browser.js');
    assert.equal(resolveExport(main, ['import']), './dist/browser.js');
  });
});
