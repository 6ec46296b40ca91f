// Database: one SQLite connection inside its own component instance, with better-sqlite3's API.
import { coreReady, instantiateDatabase, releaseInstance } from './component.js';
import { AsyncDatabase } from './async-database.js';
import {
  MAX_STRING_LENGTH, SQLITE_DBCONFIG_DEFENSIVE, SQLITE_LIMIT_LENGTH, SQLITE_LIMIT_SQL_LENGTH, connectionDefaults,
  maxMemoryOption, openFlags,
} from './connection-defaults.js';
import { SqliteError, sqliteError, toSqliteError } from './errors.js';
import { LiveStatements, StatementSlot } from './live-statements.js';
import { Statement } from './statement.js';
import { transaction } from './transaction.js';
import { aggregateDefinition, scalarDefinition } from './user-functions.js';
import { tableModule } from './virtual-tables.js';
import { VfsError } from './vfs/base.js';
import { defaultVfsName, findVfs } from './vfs/vfs-import.js';


const NodeBuffer = globalThis.Buffer;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

// As better-sqlite3 13 reads them: absent is false; present, it must be a boolean.
function optionalBoolean(options, key) {
  const value = key in options ? options[key] : false;
  if (typeof value !== 'boolean') throw new TypeError(`Expected the "${key}" option to be a boolean`);
  return value;
}

// SQLite is given a C string: a name with a NUL would open the name cut at it (better-sqlite3
// 12.9 and 13.2 do open 'a.db' for 'a.db\0x'; a different file than named is refused here).
function checkNoNul(filename, what) {
  if (filename.includes('\0')) throw new TypeError(`Expected the ${what} to contain no null bytes`);
}

// A Database dropped without close() is closed when it is collected, as better-sqlite3 does:
// its transaction rolls back and its files and locks are let go. What the registry holds
// (`#collectable`) must not reach the Database, or a user function closing over `db` would keep
// it alive for ever: the connection's resource, the instance's guard, the OPFS lease, and the
// switch that cuts the instance off from the user's callbacks (see component.js weakImport).
// Its instance is not reused: jco's finalizers of its statements may still call into it.
const collected = new FinalizationRegistry((held) => {
  held.detachCallbacks();
  if (!held.guard.dead) {
    try {
      held.connection.close();
    } catch {
      held.closeFiles(); // whatever SQLite could not close, its locks must not outlive it
    }
  }
  held.lease?.release();
});

// Database.open on an async VFS: the same options, checked as the constructor checks them,
// and an AsyncDatabase (async-database.js), whose methods return promises.
function openAsync(filename, vfs, options) {
  if (typeof filename !== 'string') throw new TypeError('Expected first argument to be a string (an async VFS opens no images)');
  if (typeof options !== 'object') throw new TypeError('Expected second argument to be an options object');
  const readonly = optionalBoolean(options, 'readonly');
  const fileMustExist = optionalBoolean(options, 'fileMustExist');
  const nofollow = optionalBoolean(options, 'nofollow');
  const timeout = 'timeout' in options ? options.timeout : 5000;
  if (!Number.isInteger(timeout) || timeout < 0) throw new TypeError('Expected the "timeout" option to be a positive integer');
  const name = filename.trim();
  if (readonly && (name === '' || name === ':memory:')) throw new TypeError('In-memory/temporary databases cannot be readonly');
  const maxMemory = maxMemoryOption(options);
  return AsyncDatabase.open(name, { vfs: vfs.name, readonly, fileMustExist, nofollow, timeout, maxMemory: maxMemory || undefined });
}

class Database {
  #state; // shared with this database's statements
  #connection;
  #failureOf; // makes the error a failure throws: a callback's own exception, or a SqliteError
  #transactionStatements = new Map();
  #transactionsWrapped = false;
  #instance; // the component instance, handed back on close for a later Database
  #collectable; // what closes this Database if it is collected unclosed (and the OPFS lease)
  #progressId = 0; // this connection's progress handler in its instance's `progress` import, or 0

  /**
   * The host's one async step: compiles the SQLite module where that cannot be done
   * synchronously (browsers). After it, `new Database()` is synchronous everywhere.
   */
  static ready() {
    return coreReady();
  }

  /**
   * Opens a database after the async steps its host and VFS need: `ready()`, then whatever the
   * VFS must acquire before SQLite can open the file synchronously (the opfs VFS's access
   * handles). Works with every VFS; the only way to open an OPFS file.
   */
  static async open(filenameOrImage, options) {
    const filename = filenameOrImage ?? '';
    if (typeof filename === 'string') checkNoNul(filename, 'database filename');
    const vfs = findVfs(options?.vfs ?? defaultVfsName());
    if (vfs?.async) return openAsync(filename, vfs, options ?? {});
    const named = typeof filename === 'string' && filename !== '' && filename !== ':memory:';
    // Compiling and acquiring are independent: side by side, the first open is quicker.
    const [ready, acquired] = await Promise.allSettled([
      coreReady(),
      named && vfs ? vfs.acquire(filename, options ?? {}) : null,
    ]);
    const lease = acquired.value ?? null;
    if (ready.status === 'rejected') {
      lease?.release();
      throw ready.reason;
    }
    if (acquired.status === 'rejected') {
      const e = acquired.reason;
      throw e instanceof VfsError ? sqliteError(e.message, e.code, e) : e;
    }
    try {
      // Compiling may have outlasted the acquisition, and a VFS whose contexts take turns (opfs)
      // may have lost its turn meanwhile: the Database is handed over with it, in this task.
      if (lease) await vfs.turn?.(filename, options?.timeout ?? 5000);
      const db = new Database(filenameOrImage, options);
      db.#collectable.lease = lease;
      return db;
    } catch (e) {
      lease?.release();
      throw e;
    }
  }

  constructor(filenameOrImage, options) {
    // Arguments; null means "not given", as in better-sqlite3. A buffer is a serialized
    // database to open in memory.
    let given = filenameOrImage;
    let image = null;
    if (filenameOrImage instanceof Uint8Array) {
      image = filenameOrImage;
      given = ':memory:';
    }
    given ??= '';
    options ??= {};
    if (typeof given !== 'string') throw new TypeError('Expected first argument to be a string');
    if (typeof options !== 'object') {
      throw new TypeError('Expected second argument to be an options object');
    }
    if ('readOnly' in options) throw new TypeError('Misspelled option "readOnly" should be "readonly"');
    if ('memory' in options) throw new TypeError('Option "memory" was removed in v7.0.0 (use ":memory:" filename instead)');
    const filename = given.trim();
    checkNoNul(filename, 'database filename');
    const anonymous = filename === '' || filename === ':memory:';
    const readonly = optionalBoolean(options, 'readonly');
    const fileMustExist = optionalBoolean(options, 'fileMustExist');
    const nofollow = optionalBoolean(options, 'nofollow');
    const timeout = 'timeout' in options ? options.timeout : 5000;
    const verbose = 'verbose' in options ? options.verbose : null;
    const nativeBinding = 'nativeBinding' in options ? options.nativeBinding : null;
    const maxMemory = maxMemoryOption(options);
    if (readonly && anonymous && !image) throw new TypeError('In-memory/temporary databases cannot be readonly');
    if (!Number.isInteger(timeout) || timeout < 0) {
      throw new TypeError('Expected the "timeout" option to be a positive integer');
    }
    if (timeout > 0x7fffffff) throw new RangeError('Option "timeout" cannot be greater than 2147483647');
    if (verbose != null && typeof verbose !== 'function') throw new TypeError('Expected the "verbose" option to be a function');
    // Accepted for programs written for better-sqlite3 (Knex passes it): there is no addon to load.
    if (nativeBinding != null && typeof nativeBinding !== 'string' && typeof nativeBinding !== 'object') {
      throw new TypeError('Expected the "nativeBinding" option to be a string or addon object');
    }
    const vfs = options.vfs ?? defaultVfsName();
    if (typeof vfs !== 'string' || !findVfs(vfs)) {
      throw new TypeError(`Expected the "vfs" option to name a registered VFS, got ${String(vfs)}`);
    }
    if (findVfs(vfs).async) {
      throw new TypeError(`The ${vfs} VFS is async: its databases open with await Database.open(name, { vfs: '${vfs}' }), whose methods return promises`);
    }
    if (!anonymous && !image && !filename.startsWith('file:') && !findVfs(vfs).directoryExists(filename)) {
      throw new TypeError('Cannot open database because the directory does not exist');
    }
    const unopenable = anonymous || image ? null : findVfs(vfs).unopenableReason?.(filename);
    if (unopenable) throw sqliteError(`unable to open database file: ${unopenable}`, 14); // SQLITE_CANTOPEN

    // Open, each database in an instance of its own (one a closed Database handed back, or new).
    const flags = openFlags({ readonly: readonly && !image, fileMustExist, nofollow });
    const instance = instantiateDatabase(maxMemory);
    const { api, hot, guard } = instance;
    this.#instance = instance;
    this.#failureOf = instance.failureOf;
    try {
      this.#connection = api.Connection.open(filename, vfs, flags);
      for (const set of connectionDefaults(this.#connection, timeout)) set();
      if (image) this.#connection.deserialize('main', image, readonly);
    } catch (e) {
      const error = toSqliteError(e, this.#failureOf); // before the instance forgets the cause
      if (!guard.dead) {
        try {
          this.#connection?.close();
          this.#connection?.[Symbol.dispose]();
          releaseInstance(instance);
        } catch {
          // An instance that cannot close cleanly is not reused; the first error is the one to report.
        }
      }
      throw error;
    }
    this.#state = {
      open: true, iterating: 0, safeIntegers: false, unsafe: false, verbose, hot, guard, failureOf: this.#failureOf,
      live: new LiveStatements(), schemaGeneration: 0,
      slotFor: (sql) => this.#slotFor(sql), prepareAgain: (sql) => this.#prepareOne(sql),
    };
    this.#collectable = {
      connection: this.#connection, guard, lease: null,
      detachCallbacks: instance.detachCallbacks, closeFiles: instance.vfsImport.closeAll,
    };
    collected.register(this, this.#collectable, this.#collectable);

    // Own enumerable properties in better-sqlite3's order, so a Database logs and
    // serializes as its does; `vfs` is ours.
    Object.defineProperties(this, {
      name: { get: () => given, enumerable: true },
      open: { get: () => this.#state.open, enumerable: true },
      inTransaction: { get: () => this.#inTransaction(), enumerable: true },
      readonly: { get: () => readonly, enumerable: true },
      memory: { get: () => anonymous, enumerable: true },
      vfs: { get: () => vfs, enumerable: true },
    });
  }

  #inTransaction() {
    if (!this.#state.open) return false;
    // A user callback is running: the instance may not be entered, and the guest said.
    if (this.#state.guard.busy) return this.#instance.callbacks.inTransaction;
    return !this.#connection.getAutocommit();
  }

  prepare(sql) {
    if (typeof sql !== 'string') throw new TypeError('Expected first argument to be a string');
    this.#usable();
    return new Statement(this, this.#state, this.#slotFor(sql), sql);
  }

  // A guest statement of `sql`: one a live Statement of the same SQL can share, or a new one.
  #slotFor(sql) {
    const { live, schemaGeneration } = this.#state;
    const shared = live.shared(sql, schemaGeneration);
    if (shared) return shared;
    const slot = new StatementSlot(this.#prepareOne(sql), sql, schemaGeneration);
    live.add(slot);
    return slot;
  }

  /**
   * The bytecode program of `sql` as rows (`EXPLAIN sql`), or its plan when `sql` starts with
   * `QUERY PLAN`, as better-sqlite3 13 gives it. Parameters may be left unbound.
   */
  explain(sql) {
    if (typeof sql !== 'string') throw new TypeError('Expected first argument to be a string');
    this.#usable();
    // Its own guest statement, never shared: its parameters stay unbound.
    const source = `EXPLAIN ${sql}`;
    const slot = new StatementSlot(this.#prepareOne(source), source, this.#state.schemaGeneration);
    try {
      return new Statement(this, this.#state, slot, source, true).all();
    } finally {
      slot.finalize();
    }
  }

  // The guest statement of `sql`, which must hold exactly one.
  #prepareOne(sql) {
    let prepared;
    try {
      prepared = this.#connection.prepare(sql);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
    if (!prepared) throw new RangeError('The supplied SQL string contains no statements');
    if (prepared.info.hasTail) {
      prepared.statement[Symbol.dispose]();
      throw new RangeError('The supplied SQL string contains more than one statement');
    }
    return prepared;
  }

  exec(sql) {
    if (typeof sql !== 'string') throw new TypeError('Expected first argument to be a string');
    this.#usable();
    if (!this.#state.unsafe) this.#notIterating();
    this.#state.schemaGeneration++; // it may change the schema (see live-statements.js)
    if (this.#state.verbose) return this.#execLogged(sql);
    try {
      this.#connection.exec(sql);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
    return this;
  }

  // exec one statement at a time, so that the logger hears each, as better-sqlite3's does.
  #execLogged(sql) {
    const bytes = textEncoder.encode(sql.split('\0', 1)[0]);
    let offset = 0;
    const skipped = (c) => c === 0x20 || c === 0x3b || (c >= 0x09 && c <= 0x0d); // blanks and ';'
    for (;;) {
      while (offset < bytes.length && skipped(bytes[offset])) offset++;
      if (offset >= bytes.length) break;
      let prepared;
      try {
        prepared = this.#connection.prepare(textDecoder.decode(bytes.subarray(offset)));
      } catch (e) {
        throw toSqliteError(e, this.#failureOf);
      }
      if (!prepared) break;
      const { statement, info } = prepared;
      try {
        this.#state.verbose(statement.expandedSql(undefined));
        // To its end, as sqlite3_exec steps (run() stops at a query's first row).
        let batch;
        do batch = this.#state.hot.stepMany(prepared.address, undefined, 256, 0, false);
        while (!batch.done && !batch.failure);
        if (batch.failure) throw batch.failure;
      } catch (e) {
        throw toSqliteError(e, this.#failureOf);
      } finally {
        statement[Symbol.dispose]();
      }
      offset += info.tail;
    }
    return this;
  }

  pragma(source, options) {
    options ??= {};
    if (typeof source !== 'string') throw new TypeError('Expected first argument to be a string');
    if (typeof options !== 'object') {
      throw new TypeError('Expected second argument to be an options object');
    }
    const simple = optionalBoolean(options, 'simple');
    this.#usable();
    if (!this.#state.unsafe) this.#notIterating();
    const statement = this.prepare(`PRAGMA ${source}`);
    // A pragma that sets a value returns no rows: nothing, or no value.
    if (!statement.reader) {
      statement.run();
      return simple ? undefined : [];
    }
    return simple ? statement.pluck().get() : statement.all();
  }

  transaction(fn) {
    // Its statements are prepared on first use here; better-sqlite3 prepares them with the
    // first transaction() of a database, and so refuses that one on a closed database and
    // while a user callback runs.
    if (typeof fn === 'function' && !this.#transactionsWrapped) {
      this.#usable();
      if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
      this.#transactionsWrapped = true;
    }
    return transaction(this, fn, (sql) => {
      let statement = this.#transactionStatements.get(sql);
      if (!statement) this.#transactionStatements.set(sql, (statement = this.prepare(sql)));
      return statement;
    });
  }

  serialize(options) {
    options ??= {};
    if (typeof options !== 'object') {
      throw new TypeError('Expected first argument to be an options object');
    }
    const schema = options.attached ?? 'main';
    if (typeof schema !== 'string') throw new TypeError('Expected the "attached" option to be a string');
    if (!schema) throw new TypeError('The "attached" option cannot be an empty string');
    this.#usable();
    this.#notIterating();
    let image;
    try {
      image = this.#connection.serialize(schema);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
    return NodeBuffer ? NodeBuffer.from(image.buffer, image.byteOffset, image.byteLength) : image;
  }

  /** A user-defined SQL function: `fn` is called with the arguments of each SQL call. */
  function(name, options, fn) {
    const { entry, arity, flags } = scalarDefinition(name, options, fn, this.#state.safeIntegers);
    this.#register(entry, (id) => this.#connection.createFunction(name, id, arity, flags));
    return this;
  }

  /** A user-defined aggregate, or with `inverse` a window function too. */
  aggregate(name, options) {
    const { entry, arity, flags, window } = aggregateDefinition(name, options, this.#state.safeIntegers);
    this.#register(entry, (id) => this.#connection.createAggregate(name, id, arity, flags, window));
    return this;
  }

  /** A virtual table module: a table definition, or a factory of them (see virtual-tables.js). */
  table(name, factory) {
    const module = tableModule(name, factory);
    this.#usable();
    this.#notIterating();
    const id = this.#instance.tablesImport.register(module, () => this.#state.safeIntegers);
    this.#state.schemaGeneration++; // names in SQL may mean something else now
    try {
      this.#connection.createModule(name, id, module.eponymous);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
    return this;
  }

  #register(entry, create) {
    this.#usable();
    this.#notIterating();
    const id = this.#instance.functionsImport.register(entry);
    this.#state.schemaGeneration++; // names in SQL may mean something else now
    try {
      create(id);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
  }

  /**
   * An online backup of schema `attached` (default "main") into database file `filename`,
   * through this database's VFS, a few pages per turn of the event loop so the database stays
   * usable meanwhile. `progress({ totalPages, remainingPages })` is called after each turn; a
   * number it returns is the pages per turn from then on (100 by default). Resolves to the
   * last progress. A backup abandoned midway deletes a file it created.
   */
  async backup(filename, options) {
    options ??= {};
    if (typeof filename !== 'string') throw new TypeError('Expected first argument to be a string');
    if (typeof options !== 'object') throw new TypeError('Expected second argument to be an options object');
    filename = filename.trim();
    checkNoNul(filename, 'backup filename');
    const attached = 'attached' in options ? options.attached : 'main';
    const progress = 'progress' in options ? options.progress : null;
    if (!filename) throw new TypeError('Backup filename cannot be an empty string');
    if (filename === ':memory:') throw new TypeError('Invalid backup filename ":memory:"');
    if (typeof attached !== 'string') throw new TypeError('Expected the "attached" option to be a string');
    if (!attached) throw new TypeError('The "attached" option cannot be an empty string');
    if (progress != null && typeof progress !== 'function') throw new TypeError('Expected the "progress" option to be a function');
    const vfs = findVfs(this.vfs);
    if (!vfs.directoryExists(filename)) throw new TypeError('Cannot save backup because the directory does not exist');
    const lease = await vfs.acquire(filename, {});
    try {
      this.#usable();
      let backup;
      try {
        backup = this.#instance.api.Backup.start(this.#connection, attached, filename, this.vfs);
      } catch (e) {
        throw toSqliteError(e, this.#failureOf);
      }
      return await runBackup(backup, progress, () => this.#usable(), (e) => toSqliteError(e, this.#failureOf));
    } finally {
      lease?.release();
    }
  }

  /**
   * As in better-sqlite3: while on, statements may write and exec may run while an iterator is
   * open, and SQLite's defensive mode is off (so e.g. writable_schema works).
   */
  unsafeMode(...args) {
    let unsafe = true;
    if (args.length) {
      if (typeof args[0] !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
      unsafe = args[0];
    }
    this.#state.unsafe = unsafe;
    const { guard } = this.#state;
    // Inside a user callback the instance is busy: SQLite hears of it before the next statement.
    if (this.#state.open && !guard.dead) {
      guard.whenFree(() => this.#state.open && this.#connection.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, !this.#state.unsafe));
    }
    return this;
  }

  /**
   * sqlite3_limit: run-time limit `id` (SQLITE_LIMIT_LENGTH = 0, …) as it was, and set to
   * `value` when one is given. LENGTH and SQL_LENGTH stay at most V8's longest string.
   */
  limit(id, value) {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new TypeError('Expected first argument to be a limit id (SQLITE_LIMIT_*)');
    const setting = value !== undefined;
    if (setting && (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)) {
      throw new RangeError('Expected the limit to be an integer from 0 to 2147483647');
    }
    this.#usable();
    if (setting && (id === SQLITE_LIMIT_LENGTH || id === SQLITE_LIMIT_SQL_LENGTH)) value = Math.min(value, MAX_STRING_LENGTH);
    const was = this.#connection.limit(id, setting ? value : -1);
    if (was < 0) throw new RangeError(`Expected first argument to be a limit id (SQLITE_LIMIT_*), got ${id}`);
    return was;
  }

  /**
   * sqlite3_db_config of an on/off option `op` (SQLITE_DBCONFIG_DEFENSIVE = 1010, …): turns it
   * on or off when `on` is given; returns whether it is on now.
   */
  dbConfig(op, on) {
    if (!Number.isInteger(op)) throw new TypeError('Expected first argument to be an option (SQLITE_DBCONFIG_*)');
    if (on !== undefined && typeof on !== 'boolean') throw new TypeError('Expected second argument to be a boolean');
    this.#usable();
    if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    try {
      return this.#connection.dbConfig(op, on);
    } catch (e) {
      throw toSqliteError(e, this.#failureOf);
    }
  }

  /**
   * sqlite3_progress_handler: `handler()` runs every `steps` virtual-machine steps while a
   * statement of this connection runs; a truthy answer stops the statement with
   * SQLITE_INTERRUPT ("interrupted"). The way to cancel a running query from elsewhere: a flag
   * the handler reads (e.g. in a SharedArrayBuffer another thread writes). As in a user
   * function, the handler cannot use the connection, and what it throws interrupts the
   * statement and is thrown to the caller. `progressHandler(0)` (or null) removes it.
   */
  progressHandler(steps, handler) {
    if (steps === null) steps = 0;
    if (!Number.isInteger(steps)) throw new TypeError('Expected first argument to be a number of steps');
    if (steps < 0 || steps > 0x7fffffff) throw new RangeError('Expected the number of steps to be an integer from 0 to 2147483647');
    if (steps > 0 && typeof handler !== 'function') throw new TypeError('Expected second argument to be a function');
    this.#usable();
    if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    const progress = this.#instance.progressImport;
    if (this.#progressId) progress.forget(this.#progressId);
    this.#progressId = steps > 0 ? progress.register(handler) : 0;
    this.#connection.progressHandler(this.#progressId, steps);
    return this;
  }

  /** Refused: SQLite is built into the component without extension loading. */
  loadExtension(path, entryPoint) {
    if (typeof path !== 'string') throw new TypeError('Expected first argument to be a string');
    if (arguments.length > 1 && typeof entryPoint !== 'string') throw new TypeError('Expected second argument to be a string');
    this.#usable();
    this.#notIterating();
    throw sqliteError('sqlite-component cannot load extensions: SQLite is compiled into WebAssembly without them', 1);
  }

  defaultSafeIntegers(...args) {
    let toggle = true;
    if (args.length && typeof (toggle = args[0]) !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
    this.#state.safeIntegers = toggle;
    return this;
  }

  close() {
    if (!this.#state.open) return this;
    this.#notIterating();
    if (!this.#state.guard.dead) {
      // (Nothing runs in a dead instance; its files were let go when it died.)
      this.#state.live.clear();
      try {
        this.#connection.close();
      } catch (e) {
        throw toSqliteError(e, this.#failureOf);
      }
      this.#connection[Symbol.dispose]();
      this.#transactionStatements.clear();
      releaseInstance(this.#instance);
    }
    this.#state.open = false;
    collected.unregister(this.#collectable);
    this.#collectable.lease?.release();
    this.#collectable.lease = null;
    return this;
  }

  [Symbol.dispose]() {
    this.close();
  }

  #usable() {
    if (!this.#state.open) throw new TypeError('The database connection is not open');
  }

  #notIterating() {
    if (this.#state.iterating) throw new TypeError('This database connection is busy executing a query');
  }
}

// The SqliteError class, where better-sqlite3 users look for it.
Object.defineProperty(Database, 'SqliteError', { value: SqliteError, writable: true, configurable: true });

/**
 * The Database class, callable without `new` as better-sqlite3's is: `Database('app.db')`
 * constructs one. Everything else (instanceof, statics, subclassing) is the class's own.
 */
const CallableDatabase = new Proxy(Database, {
  apply: (target, thisArg, args) => new target(...args),
});
export { CallableDatabase as Database };

const nextTurn = () => new Promise((resolve) => (globalThis.setImmediate ?? setTimeout)(resolve));

// Steps `backup` a turn of the event loop at a time, as better-sqlite3 does: the first step
// copies nothing and says how much there is; then 100 pages per step, or what `progress` says.
async function runBackup(backup, progress, checkOpen, toError) {
  let pages = 0;
  let first = true;
  try {
    for (;;) {
      await nextTurn();
      checkOpen();
      let step;
      try {
        step = backup.step(pages);
      } catch (e) {
        throw toError(e);
      }
      const result = { totalPages: step.totalPages, remainingPages: step.remainingPages };
      if (!result.remainingPages) {
        backup.finish(false);
        return result;
      }
      if (first) {
        first = false;
        pages = 100;
      }
      if (progress) {
        const answer = progress(result);
        if (answer !== undefined) {
          if (typeof answer !== 'number' || answer !== answer) throw new TypeError('Expected progress callback to return a number or undefined');
          pages = Math.max(0, Math.min(0x7fffffff, Math.round(answer)));
        }
      }
    }
  } catch (e) {
    try {
      backup.finish(true);
    } catch {
      // The instance may be gone with its database; the first failure is the one to report.
    }
    throw e;
  } finally {
    backup[Symbol.dispose]?.();
  }
}
