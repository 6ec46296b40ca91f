// sqlite-component for Node (import): the common API and the node-fs VFS.
export * from './common.js';
import { Database, Vfs } from './common.js';

/** Real files through node:fs, locking as native SQLite does. */
export declare class NodeFsVfs extends Vfs {
  constructor(options?: { locking?: 'auto' | 'native' | 'directory'; name?: string; root?: string; log?: (method: string, ...args: unknown[]) => void });
  readonly root: string | null;
}

export default Database;
