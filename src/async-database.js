// Databases on an async VFS (one whose methods return promises, such as indexeddb): SQLite
// runs in an instance of its own whose storage imports suspend it until the VFS's promise
// settles (JSPI: WebAssembly.Suspending on the imports, WebAssembly.promising on the exports,
// in jco's glue dist/js/sqlite-async.js). Every call into the instance is async, so the API is
// the synchronous one with promises: `await Database.open(name, { vfs: 'indexeddb' })` gives
// an AsyncDatabase, whose methods resolve to what the synchronous ones return.
//
// While a call is suspended the thread goes on, and nothing may enter the instance meanwhile
// (it would run on the suspended call's stack): calls wait their turn in a queue, one at a
// time, and such an instance is never shared between databases.
import { instantiateAsyncInstance } from './component.js';
import { connectionDefaults, maxMemoryOption, openFlags } from './connection-defaults.js';
import { toSqliteError } from './errors.js';
import { CellReader, packed, packedSizeBound } from './packed.js';
import {
  OBJECTS, RAW, PLUCK, EXPAND, arrangeParameters, copyOfBuffer, decodeRows, plainArgument,
} from './statement.js';

const ITERATE_ROWS = 256;
const ITERATE_BYTES = 256 * 1024;
const TRANSACTION_CONTROL = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:begin|commit|end|rollback|savepoint|release)\b/i;
const TRANSACTION_MODES = { deferred: 'BEGIN', immediate: 'BEGIN IMMEDIATE', exclusive: 'BEGIN EXCLUSIVE' };

/** Whether this JavaScript engine can suspend wasm on a promise (JSPI). */
export const jspiAvailable = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

// An AsyncDatabase dropped without close() is closed when it is collected, as a Database is:
// its transaction rolls back and its files and locks (an indexeddb VFS's Web Locks) are let go.
// What the registry holds must not reach the AsyncDatabase: the instance and the connection.
const collected = new FinalizationRegistry(({ instance, connection }) => {
  if (instance.guard.dead) return;
  guestCall(instance, () => connection.close())
    .catch(() => {})
    .finally(() => {
      if (!instance.guard.dead) connection[Symbol.dispose]();
    });
});

export class AsyncDatabase {
  #instance;
  #connection;
  #queue = Promise.resolve();
  #open = true;
  #inTransaction = false;
  #statements = new Set(); // AsyncStatements whose guest statement lives
  #progressId = 0;

  /** Opens `filename` on async VFS `vfs` (Database.open calls this for such a VFS). */
  static async open(filename, options = {}) {
    const { vfs, readonly = false, fileMustExist = false, nofollow = false, timeout = 5000 } = options;
    const maxMemory = maxMemoryOption(options);
    if (!jspiAvailable) {
      throw new TypeError(`The ${vfs} VFS is async, and this JavaScript engine cannot suspend WebAssembly on a promise (JSPI: Node 24, Chromium 137, Firefox 139 or later)`);
    }
    const instance = await instantiateAsyncInstance();
    if (maxMemory) instance.api.memoryLimit(BigInt(maxMemory)); // never pooled: nothing to undo
    const flags = openFlags({ readonly, fileMustExist, nofollow });
    let connection;
    try {
      connection = await guestCall(instance, () => instance.api.Connection.open(filename, vfs, flags));
      await guestCall(instance, async () => {
        for (const set of connectionDefaults(connection, timeout)) await set();
      });
    } catch (e) {
      if (connection && !instance.guard.dead) {
        await guestCall(instance, () => connection.close()).catch(() => {});
        connection[Symbol.dispose]();
      }
      // SQLite says only "unable to open database file"; the VFS says why (IndexedDB blocked…).
      if (e?.code?.startsWith?.('SQLITE_CANTOPEN') && e.cause?.message) e.message = `${e.message}: ${e.cause.message}`;
      throw e;
    }
    return new AsyncDatabase(instance, connection, { filename, vfs, readonly });
  }

  constructor(instance, connection, { filename, vfs, readonly }) {
    this.#instance = instance;
    this.#connection = connection;
    collected.register(this, { instance, connection }, this);
    Object.defineProperties(this, {
      name: { value: filename, enumerable: true },
      open: { get: () => this.#open, enumerable: true },
      inTransaction: { get: () => this.#inTransaction, enumerable: true },
      readonly: { value: readonly, enumerable: true },
      memory: { value: filename === '' || filename === ':memory:', enumerable: true },
      vfs: { value: vfs, enumerable: true },
    });
  }

  /** Runs every statement of `sql`; resolves to the database. */
  exec(sql) {
    if (typeof sql !== 'string') return Promise.reject(new TypeError('Expected first argument to be a string'));
    return this.#call(() => this.#connection.exec(sql)).then(() => this);
  }

  /** Prepares the first statement of `sql`. */
  prepare(sql) {
    if (typeof sql !== 'string') return Promise.reject(new TypeError('Expected first argument to be a string'));
    return this.#call(async () => {
      const prepared = await this.#connection.prepare(sql);
      if (!prepared) throw new RangeError('The supplied SQL string contains no statements');
      const { statement, address, info } = prepared;
      if (info.hasTail) {
        statement[Symbol.dispose]();
        throw new RangeError('The supplied SQL string contains more than one statement');
      }
      const columns = info.columnNames.length ? await statement.columns() : [];
      // Only transaction control, or a failure, can change the transaction state: other
      // statements' calls need not ask for it again (a call fewer per run).
      const controls = TRANSACTION_CONTROL.test(sql);
      const call = (op) => this.#call(op, controls);
      const st = new AsyncStatement(this, { statement, address, info, columns, source: sql, call, instance: this.#instance });
      this.#statements.add(st);
      return st;
    });
  }

  /** PRAGMA `source`: the rows, or with `{ simple: true }` the first value of the first row. */
  async pragma(source, options = {}) {
    if (typeof source !== 'string') throw new TypeError('Expected first argument to be a string');
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected second argument to be an options object');
    const st = await this.prepare(`PRAGMA ${source}`);
    try {
      return options.simple ? await st.pluck().get() : await st.all();
    } finally {
      await st.finalize();
    }
  }

  /**
   * Runs `[sql, params]` pairs (or SQL strings) in one transaction: resolves to each run's
   * { changes, lastInsertRowid }, or rejects with none of it applied. `mode`: 'deferred'
   * (default), 'immediate' or 'exclusive'. (A function cannot be the body, as in the
   * synchronous API: its awaits would let other calls in between.)
   */
  async transaction(statements, { mode = 'deferred' } = {}) {
    if (!Array.isArray(statements)) throw new TypeError('Expected an array of [sql, params] pairs');
    if (!Object.hasOwn(TRANSACTION_MODES, mode)) {
      throw new TypeError('Expected the transaction mode to be "deferred", "immediate" or "exclusive"');
    }
    const list = statements.map((s) => (typeof s === 'string' ? [s, []] : [s?.[0], s?.[1] ?? []]));
    return this.#call(async () => {
      await this.#connection.exec(TRANSACTION_MODES[mode]);
      try {
        const results = [];
        for (const [sql, params] of list) {
          if (typeof sql !== 'string') throw new TypeError('Expected each statement to be SQL text');
          const prepared = await this.#connection.prepare(sql);
          if (!prepared) throw new RangeError('The supplied SQL string contains no statements');
          try {
            const values = arrangeFor(prepared.info, Array.isArray(params) ? params : [params]);
            results.push(runResult(await prepared.statement.run(values && packed(values)), false));
          } finally {
            prepared.statement[Symbol.dispose]();
          }
        }
        await this.#connection.exec('COMMIT');
        return results;
      } catch (e) {
        if (!(await this.#connection.getAutocommit())) await this.#connection.exec('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /** The database image (`sqlite3_serialize`), of `attached` if named. */
  serialize({ attached = 'main' } = {}) {
    return this.#call(() => this.#connection.serialize(attached));
  }

  /**
   * sqlite3_progress_handler, as Database#progressHandler. Calls here are async, so a handler
   * can read what a click sets while a query waits on storage: how a page cancels one.
   */
  progressHandler(steps, handler) {
    if (steps === null) steps = 0;
    if (!Number.isInteger(steps)) return Promise.reject(new TypeError('Expected first argument to be a number of steps'));
    if (steps < 0 || steps > 0x7fffffff) return Promise.reject(new RangeError('Expected the number of steps to be an integer from 0 to 2147483647'));
    if (steps > 0 && typeof handler !== 'function') return Promise.reject(new TypeError('Expected second argument to be a function'));
    return this.#call(async () => {
      const progress = this.#instance.progressImport;
      if (this.#progressId) progress.forget(this.#progressId);
      this.#progressId = steps > 0 ? progress.register(handler) : 0;
      await this.#connection.progressHandler(this.#progressId, steps);
    }).then(() => this);
  }

  /** Closes the database: its statements end, then the connection (its files and locks). */
  close() {
    if (!this.#open) return Promise.resolve(this);
    this.#open = false;
    collected.unregister(this);
    const instance = this.#instance;
    const done = this.#enqueue(async () => {
      if (instance.guard.dead) return;
      for (const st of this.#statements) await st.release();
      this.#statements.clear();
      try {
        await guestCall(instance, () => this.#connection.close());
      } finally {
        if (!instance.guard.dead) this.#connection[Symbol.dispose]();
      }
    });
    return done.then(() => this);
  }

  /** Called by a statement as it finalizes. */
  forget(st) {
    this.#statements.delete(st);
  }

  // One call into the instance, after the ones before it; then, if it may have changed it, the
  // transaction state, which getters answer from without entering the instance.
  #call(op, mayChangeTransaction = true) {
    if (!this.#open) return Promise.reject(new TypeError('The database connection is not open'));
    return this.#enqueue(async () => {
      let failed = true;
      try {
        const result = await guestCall(this.#instance, op);
        failed = false;
        return result;
      } finally {
        if ((mayChangeTransaction || failed) && !this.#instance.guard.dead) {
          this.#inTransaction = !(await this.#connection.getAutocommit());
        }
      }
    });
  }

  #enqueue(op) {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }
}

// Runs `op`, which calls into the instance: a failure SQLite reported becomes its SqliteError
// (or a user callback's own exception); a trap, which leaves the instance unusable, becomes
// InstanceAbortedError, now and for every later call.
async function guestCall(instance, op) {
  const { guard } = instance;
  if (guard.dead) throw guard.dead;
  instance.callbacks.reset();
  try {
    return await op();
  } catch (e) {
    if (e?.payload && typeof e.payload.extendedCode === 'number') throw toSqliteError(e, instance.failureOf);
    // A trap, or a suspension the engine refused: the guest stopped where it was.
    if (e instanceof WebAssembly.RuntimeError || (WebAssembly.SuspendError && e instanceof WebAssembly.SuspendError)) {
      throw guard.abort(e);
    }
    throw e; // ours: what the call checked before entering the guest
  }
}

const toNumber = (value, safeIntegers) => (safeIntegers ? BigInt(value) : Number(value));

function runResult({ changes, lastInsertRowid }, safeIntegers) {
  return { changes: Number(changes), lastInsertRowid: toNumber(lastInsertRowid, safeIntegers) };
}

// The parameter values of one execution, by slot, as the synchronous Statement binds them;
// undefined when there are none.
function arrangeFor(info, args) {
  const keys = info.parameterNames.map((name) => (name === '' ? null : name.slice(1)));
  if (keys.length === 0 && args.length === 0) return undefined;
  const numbered = info.parameterNames.map((name) => name[0] === '?');
  const positionalOnly = keys.every((key, i) => key === null || numbered[i]);
  const values = positionalOnly && args.length === keys.length && args.every(plainArgument)
    ? args
    : arrangeParameters(keys, numbered, args);
  packedSizeBound(values); // type errors before anything runs
  return values.map(copyOfBuffer);
}

export class AsyncStatement {
  #database;
  #statement; // the guest statement, until finalize
  #address; // what the direct calls pass for it (wit: prepared.address)
  #hot; // the instance's direct calls for run and step-many (hot-calls.js)
  #info;
  #columns;
  #call;
  #failureOf; // the instance's: a failure caused by a user callback throws the callback's exception
  #mode = OBJECTS;
  #safeIntegers = false;
  #iterating = false;

  constructor(database, { statement, address, info, columns, source, call, instance }) {
    this.#database = database;
    this.#failureOf = instance.failureOf;
    this.#hot = instance.hot;
    this.#statement = statement;
    this.#address = address;
    this.#info = info;
    this.#columns = columns;
    this.#call = call;
    Object.defineProperties(this, {
      database: { value: database },
      source: { value: source, enumerable: true },
      reader: { value: info.columnNames.length > 0, enumerable: true },
      readonly: { value: info.readonly, enumerable: true },
    });
  }

  /** Executes once: { changes, lastInsertRowid }. */
  run(...args) {
    return this.#execute(args, (values) => this.#hot.run(this.#address, values, this.#safeIntegers));
  }

  /** The first row, or undefined. */
  get(...args) {
    return this.#read(args, async (values) => {
      const batch = await this.#hot.stepMany(this.#address, values, 1, 0, true);
      return this.#decode(batch)[0];
    });
  }

  /** Every row. */
  all(...args) {
    return this.#read(args, async (values) => {
      const batch = await this.#hot.stepMany(this.#address, values, 0, 0, false);
      const rows = this.#decode(batch);
      if (batch.failure) throw batch.failure;
      return rows;
    });
  }

  /** Rows in batches of up to 256; leaving the loop early resets the statement. */
  async *iterate(...args) {
    if (!this.reader) throw new TypeError('This statement does not return data. Use run() instead');
    this.#usable();
    let values = this.#values(args);
    values = values === undefined ? undefined : packed(values);
    this.#iterating = true;
    let done = false;
    try {
      while (!done) {
        // A failure's error is made within the call, while the instance knows its cause.
        const { batch, failure } = await this.#call(async () => {
          const stepped = await this.#statement.stepMany(values, ITERATE_ROWS, ITERATE_BYTES, false);
          return { batch: stepped, failure: stepped.failure && toSqliteError({ payload: stepped.failure }, this.#failureOf) };
        });
        values = undefined;
        const rows = this.#rows(batch);
        done = batch.done || Boolean(failure);
        yield* rows;
        if (failure) throw failure;
      }
    } finally {
      this.#iterating = false;
      if (!done && this.#statement) await this.#call(() => this.#statement.reset()).catch(() => {});
    }
  }

  /** Column descriptions, as the synchronous columns() gives them. */
  columns() {
    if (!this.reader) throw new TypeError('The columns() method is only for statements that return data');
    return this.#columns.map((c) => ({
      name: c.name, column: c.originColumn ?? null, table: c.originTable ?? null,
      database: c.originDatabase ?? null, type: c.declaredType ?? null,
    }));
  }

  pluck(toggle = true) {
    return this.#setMode(PLUCK, toggle, 'pluck');
  }

  raw(toggle = true) {
    return this.#setMode(RAW, toggle, 'raw');
  }

  expand(toggle = true) {
    return this.#setMode(EXPAND, toggle, 'expand');
  }

  safeIntegers(toggle = true) {
    if (typeof toggle !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
    this.#safeIntegers = toggle;
    return this;
  }

  /** Frees the guest statement; the Statement is unusable afterwards. */
  finalize() {
    if (!this.#statement) return Promise.resolve();
    return this.#call(() => this.release());
  }

  /** Resets and frees the guest statement (inside a call into the instance). */
  async release() {
    const statement = this.#statement;
    if (!statement) return;
    this.#statement = null;
    this.#database.forget(this);
    // Reset first: a statement stopped mid-read still holds its read lock, and releasing that
    // is storage work, which only a promising call may do.
    await statement.reset();
    statement[Symbol.dispose]();
  }

  #setMode(mode, toggle, method) {
    if (typeof toggle !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
    if (!this.reader) throw new TypeError(`The ${method}() method is only for statements that return data`);
    if (toggle) this.#mode = mode;
    else if (this.#mode === mode) this.#mode = OBJECTS;
    return this;
  }

  #usable() {
    if (!this.#database.open) throw new TypeError('The database connection is not open');
    if (!this.#statement) throw new TypeError('The statement is finalized');
    if (this.#iterating) throw new TypeError('This statement is busy executing a query');
  }

  #values(args) {
    return arrangeFor(this.#info, args);
  }

  async #execute(args, body) {
    this.#usable();
    const values = this.#values(args);
    return this.#call(() => {
      if (!this.#statement) throw new TypeError('The statement is finalized');
      return body(values);
    });
  }

  #read(args, body) {
    if (!this.reader) return Promise.reject(new TypeError('This statement does not return data. Use run() instead'));
    return this.#execute(args, body);
  }

  // Rows of a batch jco's glue copied out (iterate's).
  #rows({ rowCount, columnCount, cells }) {
    return this.#decodeWith(new CellReader(cells, new DataView(cells.buffer, cells.byteOffset, cells.byteLength), 0, this.#safeIntegers), rowCount, columnCount);
  }

  // Rows of a batch still in guest memory (a direct call's), read before the queued call ends.
  #decode(batch) {
    return this.#decodeWith(this.#hot.cells(batch, this.#safeIntegers), batch.rowCount, batch.columnCount);
  }

  #decodeWith(reader, rowCount, columnCount) {
    const names = this.#columns.map((c) => c.name);
    const tables = this.#mode === EXPAND ? this.#columns.map((c) => c.originTable ?? '$') : null;
    return decodeRows(reader, rowCount, columnCount, this.#mode, names, tables);
  }
}
