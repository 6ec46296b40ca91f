// sqlite-component for Node (require): the Database constructor, with the rest as its
// properties, as better-sqlite3's module.exports is.
import type * as api from './node.js';

declare const Database: typeof api.Database & {
  Database: typeof api.Database;
  SqliteError: typeof api.SqliteError;
  InstanceAbortedError: typeof api.InstanceAbortedError;
  Vfs: typeof api.Vfs;
  VfsFile: typeof api.VfsFile;
  VfsError: typeof api.VfsError;
  MemoryVfs: typeof api.MemoryVfs;
  NodeFsVfs: typeof api.NodeFsVfs;
  registerVfs: typeof api.registerVfs;
  findVfs: typeof api.findVfs;
};
export = Database;
