// The engine side of the browser entry (browser.js): the synchronous API, the loader that
// compiles the SQLite module, and the browser's VFSes. Compiling is async here, so
// `await Database.ready()` (or `Database.open`) comes first; then `new Database()` is
// synchronous, as in Node. The default VFS is memory; `opfs` persists, in dedicated Workers;
// `indexeddb` persists anywhere, as an async VFS (an AsyncDatabase, through JSPI).
// Nothing here needs cross-origin isolation or SharedArrayBuffer.
//
// A module of its own so that bundlers can leave it out of a page that only uses the Worker API
// (openDatabase): scripts/build.sh bundles it into a chunk of its own, which package.json's
// `sideEffects` does not list, so its setup below runs only where one of its exports is used.
import { Database } from './database.js';
import { coreModuleNames, setCoreLoader } from './component.js';
import { registerVfs } from './vfs/vfs-import.js';
import { MemoryVfs } from './vfs/memory.js';
import { OpfsVfs } from './vfs/opfs.js';
import { IndexedDbVfs } from './vfs/indexeddb.js';

// Each URL written out in full, so bundlers (Vite, webpack) see and copy every module.
export const coreModuleUrls = {
  'sqlite.core.wasm': new URL('../dist/js/sqlite.core.wasm', import.meta.url),
  'sqlite.core2.wasm': new URL('../dist/js/sqlite.core2.wasm', import.meta.url),
  'sqlite.core3.wasm': new URL('../dist/js/sqlite.core3.wasm', import.meta.url),
  'sqlite.core4.wasm': new URL('../dist/js/sqlite.core4.wasm', import.meta.url),
};

async function compile(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch (e) {
    // A server that does not say application/wasm: compile from the bytes instead.
    if (!(e instanceof TypeError)) throw e;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Cannot load ${url}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

setCoreLoader({
  warmUpVfs: 'memory',
  prepare: async () => new Map(await Promise.all(coreModuleNames.map(async (name) => [name, await compile(coreModuleUrls[name])]))),
});

registerVfs(new MemoryVfs(), { makeDefault: true });
registerVfs(new OpfsVfs());
registerVfs(new IndexedDbVfs()); // touches IndexedDB only when a database opens on it

export * from './portable.js';
export { OpfsVfs, IndexedDbVfs };
export { serveDatabases } from './worker/server.js';
export default Database;
