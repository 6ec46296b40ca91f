// sqlite-component for browsers: the common API, the opfs VFS, and the Worker API.
export * from './common.js';
import { ColumnDefinition, Database, Options, PromisedDatabase, PromisedStatement, Vfs } from './common.js';

/** Databases in the Origin Private File System, for dedicated Workers. */
export declare class OpfsVfs extends Vfs {}

/** Databases in IndexedDB, anywhere (an async VFS: Database.open gives an AsyncDatabase). */
export declare class IndexedDbVfs extends Vfs {
  constructor(options?: { databaseName?: string; log?: (method: string, ...args: unknown[]) => void });
  readonly async: true;
}

/** A dedicated Worker serving databases to a page. */
export declare class DatabaseWorker {
  /** `url`: a module Worker that calls serveDatabases(self); the package's own by default. */
  constructor(options?: { url?: string | URL });
  request(op: string, args: unknown[]): Promise<any>;
  /** Asks the Worker to stop database `db`'s running statement (see RemoteDatabase#interrupt). */
  interrupt(db: number): void;
  terminate(): void;
}

export interface RemoteStatement<Row = any> extends PromisedStatement<Row> {
  columns(): ColumnDefinition[] | null;
  finalize(): Promise<null>;
}

export interface RemoteDatabase extends PromisedDatabase {
  /** interrupt() can stop a running statement: in a cross-origin isolated page, or on an async VFS. */
  readonly interruptible: boolean;
  /** Stops the running statement (it rejects with SQLITE_INTERRUPT); resolves to `interruptible`. */
  interrupt(): Promise<boolean>;
  prepare<Row = any>(sql: string): Promise<RemoteStatement<Row>>;
}

/** Opens a database in a Worker (a shared one unless `worker` is given). */
export declare function openDatabase(filename: string, options?: Options & { worker?: DatabaseWorker }): Promise<RemoteDatabase>;

/** Serves databases to pages from a Worker's scope (what the package's own Worker runs). */
export declare function serveDatabases(scope: { addEventListener(type: 'message', listener: (event: MessageEvent) => void): void; postMessage(message: unknown): void }): void;

export default Database;
