// What every host shares: the API, its errors, the VFS registry and base classes, and the
// memory VFS. Host entries (node.js, browser.js) add their loader and their own VFSes.
export { Database } from './database.js';
export { AsyncDatabase, AsyncStatement } from './async-database.js';
export { SqliteError, InstanceAbortedError } from './errors.js';
export { registerVfs, findVfs } from './vfs/vfs-import.js';
export { Vfs, VfsFile, VfsError } from './vfs/base.js';
export { MemoryVfs } from './vfs/memory.js';
