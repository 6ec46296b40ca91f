// sqlite-component for Node: modules are compiled synchronously, so `new Database()` works at
// once; files are real files (node-fs) by default.
import { readFileSync } from 'node:fs';
import { Database } from './database.js';
import { setCoreLoader } from './component.js';
import { registerVfs } from './vfs/vfs-import.js';
import { MemoryVfs } from './vfs/memory.js';
import { NodeFsVfs } from './vfs/node-fs.js';

const bindings = new URL('../dist/js/', import.meta.url);
setCoreLoader({ compileSync: (name) => new WebAssembly.Module(readFileSync(new URL(name, bindings))) });

// Real files by default, as a Node user of SQLite expects.
registerVfs(new NodeFsVfs(), { makeDefault: true });
registerVfs(new MemoryVfs());

export * from './portable.js';
export { NodeFsVfs };
export default Database;
