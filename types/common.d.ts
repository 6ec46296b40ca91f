// Types of what every host exports (src/portable.js): the better-sqlite3-style API, its
// errors, and the VFS layer. Hand-written; test/types/ checks them with tsc.

/** A value SQLite stores: bound as a parameter, or read back from a row. */
export type SqliteValue = number | bigint | string | Uint8Array | null;
/** What may be bound: `undefined` binds NULL, any typed array or DataView binds a BLOB. */
export type BindValue = SqliteValue | undefined | ArrayBufferView;
/** Parameters: positional values, arrays of them, and at most one object of named values. */
export type BindParameters = Array<BindValue | BindValue[] | Record<string, BindValue>>;

export interface Options {
  /** Name of a registered VFS: 'node-fs' (Node default), 'memory' (browser default), 'opfs'. */
  vfs?: string;
  readonly?: boolean;
  fileMustExist?: boolean;
  /** Refuse a database file whose name leads through a symbolic link (SQLITE_OPEN_NOFOLLOW). */
  nofollow?: boolean;
  /** Busy timeout in milliseconds (default 5000). */
  timeout?: number;
  /**
   * The most memory, in bytes, the database's engine instance may grow to (at least its
   * starting size, about 1.2 MiB). Past it a statement fails with SQLITE_NOMEM and the
   * database goes on. Default: no limit but wasm32's 4 GiB.
   */
  maxMemory?: number;
  /** Called with the SQL of each statement before it runs. */
  verbose?: ((sql: string) => void) | null;
  /** Accepted for programs written for better-sqlite3, and ignored. */
  nativeBinding?: string | object | null;
}

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface ColumnDefinition {
  name: string;
  column: string | null;
  table: string | null;
  database: string | null;
  type: string | null;
}

export interface PragmaOptions {
  simple?: boolean;
}

export interface SerializeOptions {
  attached?: string;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface BackupOptions {
  attached?: string;
  /** Called after each step; a number returned sets the pages per step (100 by default). */
  progress?: (progress: BackupProgress) => number | void;
}

export interface FunctionOptions {
  varargs?: boolean;
  deterministic?: boolean;
  directOnly?: boolean;
  safeIntegers?: boolean;
}

export interface AggregateOptions<Accumulator = any> extends FunctionOptions {
  start?: Accumulator | (() => Accumulator);
  step: (accumulator: Accumulator, ...args: any[]) => Accumulator | void;
  /** Makes it a window function too: undoes a step for a row leaving the frame. */
  inverse?: (accumulator: Accumulator, ...args: any[]) => Accumulator | void;
  result?: (accumulator: Accumulator) => BindValue;
}

export interface TableDefinition {
  columns: string[];
  /** Yields rows as arrays in column order or objects by column name; takes the parameters. */
  rows: (...parameters: any[]) => Generator<unknown[] | Record<string, unknown>, void, unknown>;
  /** Defaults to $1, $2, … as many as `rows` takes. */
  parameters?: string[];
  safeIntegers?: boolean;
  directOnly?: boolean;
}

/** Called for each CREATE VIRTUAL TABLE … USING name(args), with `this` naming the table. */
export type TableFactory = (this: { module: string; database: string; table: string }, ...args: string[]) => TableDefinition;

export type Transaction<F extends (...args: any[]) => any> = F & {
  deferred: F;
  immediate: F;
  exclusive: F;
  database: Database;
};

export declare class Statement<Row = any> {
  readonly source: string;
  readonly reader: boolean;
  readonly readonly: boolean;
  readonly busy: boolean;
  readonly database: Database;
  run(...params: BindParameters): RunResult;
  get(...params: BindParameters): Row | undefined;
  all(...params: BindParameters): Row[];
  iterate(...params: BindParameters): IterableIterator<Row>;
  pluck(toggle?: boolean): this;
  expand(toggle?: boolean): this;
  raw(toggle?: boolean): this;
  bind(...params: BindParameters): this;
  columns(): ColumnDefinition[];
  safeIntegers(toggle?: boolean): this;
  /** The source SQL, or with the values bind() fixed expanded into it (better-sqlite3 13). */
  toString(): string;
}

export interface DatabaseConstructor {
  new (filename?: string | Uint8Array | null, options?: Options | null): Database;
  (filename?: string | Uint8Array | null, options?: Options | null): Database;
  readonly prototype: Database;
  /** The host's one async step: compiles the module where that must be async (browsers). */
  ready(): Promise<void>;
  /**
   * On an async VFS (`indexeddb`, or one of your own whose `async` is true): an AsyncDatabase,
   * whose methods return promises (JSPI: Node 24, Chromium 137, Firefox 139 or later).
   */
  open(filename: string, options: Options & { vfs: 'indexeddb' }): Promise<AsyncDatabase>;
  /** ready(), then what the VFS must obtain (OPFS handles), then a synchronous Database. */
  open(filename?: string | Uint8Array | null, options?: Options | null): Promise<Database>;
  readonly SqliteError: typeof SqliteError;
}

export interface Database {
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  readonly readonly: boolean;
  readonly vfs: string;
  prepare<Row = any>(source: string): Statement<Row>;
  exec(source: string): this;
  pragma(source: string, options?: PragmaOptions): any;
  /** `EXPLAIN source` as rows (the bytecode), or the plan for `QUERY PLAN …`; parameters may stay unbound. */
  explain(source: string): any[];
  transaction<F extends (...args: any[]) => any>(fn: F): Transaction<F>;
  function(name: string, fn: (...args: any[]) => BindValue): this;
  function(name: string, options: FunctionOptions, fn: (...args: any[]) => BindValue): this;
  aggregate<Accumulator = any>(name: string, options: AggregateOptions<Accumulator>): this;
  table(name: string, definition: TableDefinition | TableFactory): this;
  backup(filename: string, options?: BackupOptions): Promise<BackupProgress>;
  serialize(options?: SerializeOptions): Uint8Array;
  /** Always throws: SQLite is built without extension loading. */
  loadExtension(path: string, entryPoint?: string): never;
  defaultSafeIntegers(toggle?: boolean): this;
  unsafeMode(toggle?: boolean): this;
  /** sqlite3_limit: limit `id` (SQLITE_LIMIT_*) as it was; set to `value` when given. */
  limit(id: number, value?: number): number;
  /** sqlite3_db_config of on/off option `op` (SQLITE_DBCONFIG_*): set when `on` is given; whether it is on now. */
  dbConfig(op: number, on?: boolean): boolean;
  /**
   * sqlite3_progress_handler: `handler()` every `steps` virtual-machine steps while a statement
   * runs; a truthy answer stops it with SQLITE_INTERRUPT. `progressHandler(0)` removes it.
   */
  progressHandler(steps: number, handler?: (() => unknown) | null): this;
  close(): this;
  [Symbol.dispose](): void;
}

export declare const Database: DatabaseConstructor;

/** The synchronous Statement's methods, with promises: an AsyncStatement's and a RemoteStatement's. */
export interface PromisedStatement<Row = any> {
  readonly source: string;
  readonly reader: boolean;
  readonly readonly: boolean;
  run(...params: BindParameters): Promise<RunResult>;
  get(...params: BindParameters): Promise<Row | undefined>;
  all(...params: BindParameters): Promise<Row[]>;
  iterate(...params: BindParameters): AsyncIterableIterator<Row>;
  pluck(toggle?: boolean): this;
  raw(toggle?: boolean): this;
  expand(toggle?: boolean): this;
  safeIntegers(toggle?: boolean): this;
}

/** The synchronous Database's methods, with promises: an AsyncDatabase's and a RemoteDatabase's. */
export interface PromisedDatabase {
  readonly name: string;
  readonly vfs: string;
  readonly open: boolean;
  exec(sql: string): Promise<this>;
  pragma(source: string, options?: PragmaOptions): Promise<any>;
  /** `[sql, params]` pairs or SQL strings, in one transaction: all or nothing. */
  transaction(statements: Array<string | [string, BindParameters[number]?]>, options?: { mode?: 'deferred' | 'immediate' | 'exclusive' }): Promise<RunResult[]>;
  serialize(options?: SerializeOptions): Promise<Uint8Array>;
  close(): Promise<this>;
}

/** A statement of an AsyncDatabase: the synchronous Statement's methods, with promises. */
export declare class AsyncStatement<Row = any> {
  private constructor();
}
export interface AsyncStatement<Row = any> extends PromisedStatement<Row> {
  readonly database: AsyncDatabase;
  columns(): ColumnDefinition[];
  finalize(): Promise<void>;
}

/** A database on an async VFS, from Database.open: calls are queued, one at a time. */
export declare class AsyncDatabase {
  private constructor();
}
export interface AsyncDatabase extends PromisedDatabase {
  readonly inTransaction: boolean;
  readonly readonly: boolean;
  readonly memory: boolean;
  prepare<Row = any>(sql: string): Promise<AsyncStatement<Row>>;
  progressHandler(steps: number, handler?: (() => unknown) | null): Promise<this>;
}

export declare class SqliteError extends Error {
  constructor(message: string, code: string, extendedCode?: number);
  /** SQLite's result code name, e.g. 'SQLITE_CONSTRAINT_PRIMARYKEY'. */
  code: string;
  /** The same as a number (sqlite3.h), e.g. 1555. */
  errcode: number;
  /** Of a failure to prepare: where in the statement it lies, in bytes of UTF-8 (sqlite3_error_offset). */
  offset?: number;
}

/** What every call on a Database throws once its SQLite instance trapped. */
export declare class InstanceAbortedError extends Error {}

// --- VFSes ---

export interface Lease {
  release(): void;
}

/** A failure with the SQLite result code the VFS wants returned. */
export declare class VfsError extends Error {
  constructor(code: number, message?: string, options?: { cause?: unknown });
  code: number;
}

/** sqlite3_vfs: names files and opens them (subclass and registerVfs to add one). */
export declare class Vfs {
  name: string;
  constructor(options?: { log?: (method: string, ...args: unknown[]) => void });
  open(path: string | null, flags: number): { file: VfsFile; flags?: number };
  delete(path: string, syncDir: boolean): void;
  access(path: string, flags: number): boolean;
  fullPathname(path: string): string;
  /** Whether reaching `path` goes through a symbolic link (refused under the `nofollow` option). */
  symlinked(path: string): boolean;
  directoryExists(filename: string): boolean;
  acquire(filename: string, options: Options): Promise<Lease | null>;
}

/** sqlite3_file: one open file. */
export declare class VfsFile {
  constructor(lock: object | string | null, sharedMemory?: object | null);
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  truncate(size: number): void;
  sync(flags: number): void;
  size(): number;
  lock(level: number): boolean;
  unlock(level: number): void;
  checkReservedLock(): boolean;
  readonly lockLevel: number;
  sectorSize(): number;
  deviceCharacteristics(): number;
  readonly sharedMemory: boolean;
  close(): void;
}

/** Files in memory, shared by the connections of this JS thread. */
export declare class MemoryVfs extends Vfs {
  static readonly files: Map<string, { data: Uint8Array; size: number }>;
}

export declare function registerVfs(vfs: Vfs, options?: { makeDefault?: boolean }): void;
export declare function findVfs(name: string): Vfs | undefined;
