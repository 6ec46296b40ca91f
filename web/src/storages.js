// Where the playground keeps its databases: one entry per storage the storage menu offers.
// Each is a VFS of the package, reached through the Worker API (openDatabase), so queries run
// in a Worker and the page stays responsive.
//
//   id          the menu's value, and part of what localStorage remembers
//   label       the menu's text
//   vfs         the VFS name given to openDatabase
//   persistent  true if the data outlives the database Worker (a reload, a cancelled query)
//   shared      true if tabs of this origin see the same database
//   note        one line under the menu
//   available() whether this browser has what the storage needs
//
// A storage whose VFS is not registered in the package's default Worker may add
// `workerUrl`: the URL of a module Worker that registers it and calls serveDatabases(self)
// (session.js passes it to new DatabaseWorker({ url })).
export const storages = [
  {
    id: 'memory',
    label: 'Memory',
    vfs: 'memory',
    persistent: false,
    shared: false,
    note: 'In this tab’s database Worker: gone after a reload or a cancelled query, kept while the tab stays.',
    available: () => true,
  },
  {
    id: 'opfs',
    label: 'OPFS',
    vfs: 'opfs',
    persistent: true,
    shared: true,
    note: 'Origin Private File System: kept across reloads, shared by this site’s tabs.',
    available: () => typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function',
  },
  {
    id: 'indexeddb',
    label: 'IndexedDB',
    vfs: 'indexeddb',
    persistent: true,
    shared: true,
    note: 'IndexedDB, through JSPI: kept across reloads, shared by this site’s tabs; a query waiting on it can be interrupted.',
    // An async VFS: the engine waits on IndexedDB through JSPI, which the browser must have.
    available: () => typeof indexedDB !== 'undefined' && typeof WebAssembly.Suspending === 'function',
  },
];

export const storageById = (id) => storages.find((s) => s.id === id && s.available());

/** The storage to start with: the one last used, else the first persistent one available. */
export function defaultStorage(rememberedId) {
  return storageById(rememberedId) ?? storages.find((s) => s.persistent && s.available()) ?? storages[0];
}
