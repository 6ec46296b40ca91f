// sqlite-component: SQLite as a WebAssembly component, storage supplied by JS VFSes.
import { Database } from './database.js';
import { registerVfs } from './vfs/vfs-import.js';
import { MemoryVfs } from './vfs/memory.js';
import { NodeFsVfs } from './vfs/node-fs.js';

// Real files by default, as a Node user of SQLite expects.
registerVfs(new NodeFsVfs(), { makeDefault: true });
registerVfs(new MemoryVfs());

export { Database };
export { SqliteError, InstanceAbortedError } from './errors.js';
export { registerVfs, findVfs } from './vfs/vfs-import.js';
export { Vfs, VfsFile, VfsError } from './vfs/base.js';
export { MemoryVfs, NodeFsVfs };
export default Database;
