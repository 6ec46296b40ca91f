// The page side of the Worker API: the synchronous API, run in a dedicated Worker (server.js),
// with promises instead of values. For a page's main thread, where OPFS's synchronous handles
// do not exist and a long query must not freeze the page.
//
//   const db = await openDatabase('app.db', { vfs: 'opfs' });
//   await db.exec('CREATE TABLE IF NOT EXISTS t(x)');
//   const st = await db.prepare('SELECT x FROM t WHERE x > ?');
//   for await (const row of st.iterate(1)) …;
//   await db.close();
//
// Values and errors are the synchronous API's: SqliteError keeps its `code`.
import { SqliteError } from '../errors.js';

const iterateBatch = 256;

/** A dedicated Worker serving databases; many databases may share one. */
export class DatabaseWorker {
  #worker;
  #pending = new Map(); // id → { resolve, reject }
  #nextId = 1;
  #closed = null; // the Error every later call rejects with
  // Where interrupt() raises its flag for a statement running in the Worker: shared memory,
  // which a page has only when cross-origin isolated (COOP/COEP); null elsewhere.
  #interruptFlag = globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function'
    ? new Int32Array(new SharedArrayBuffer(4))
    : null;

  /** `url`: a module Worker script that calls serveDatabases (the package's own by default). */
  constructor({ url } = {}) {
    // Written out in full so that bundlers see the Worker and bundle it.
    this.#worker = url
      ? new Worker(url, { type: 'module', name: 'sqlite-component' })
      : new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name: 'sqlite-component' });
    this.#worker.addEventListener('message', ({ data }) => {
      const call = this.#pending.get(data?.id);
      if (!call) return;
      this.#pending.delete(data.id);
      if (data.error) call.reject(reviveError(data.error));
      else call.resolve(data.result);
    });
    // A script that fails to load, or an error nothing caught: every caller hears of it.
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.#fail(new Error(`The database Worker failed: ${event.message ?? 'it could not be loaded'}`));
    });
    this.#worker.addEventListener('messageerror', () => {
      this.#fail(new Error('The database Worker sent a message that could not be read'));
    });
    if (this.#interruptFlag) this.request('interrupts', [this.#interruptFlag.buffer]).catch(() => {});
  }

  /**
   * Asks the Worker to stop the statement of database `db` (a handle) that runs now: it fails
   * with SQLITE_INTERRUPT. Reaches a synchronous database only through the shared flag (a
   * cross-origin isolated page), an async one (indexeddb) by message, as it waits on storage.
   * Nothing to wait for: a Worker busy with a statement that never waits answers only later.
   */
  interrupt(db) {
    if (this.#interruptFlag) Atomics.store(this.#interruptFlag, 0, 1);
    this.request('interrupt', [db]).catch(() => {});
  }

  /** Sends one operation (see server.js); resolves to its result. */
  request(op, args) {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ id, op, args });
      } catch (e) {
        // A value structured clone cannot carry (a function, a Symbol): the caller's mistake.
        this.#pending.delete(id);
        reject(new TypeError(`Cannot send this value to the database Worker: ${e.message}`));
      }
    });
  }

  /** Stops the Worker: its databases close without a word, and pending calls reject. */
  terminate() {
    this.#worker.terminate();
    this.#fail(new Error('The database Worker was terminated'));
  }

  #fail(error) {
    this.#closed ??= error;
    for (const call of this.#pending.values()) call.reject(this.#closed);
    this.#pending.clear();
  }
}

let sharedWorker = null;

/**
 * Opens a database in a Worker: `options` are the synchronous API's (vfs, readonly,
 * fileMustExist, timeout), plus `worker`, a DatabaseWorker to use instead of the shared one.
 */
export async function openDatabase(filename, options = {}) {
  const { worker: given, ...rest } = options ?? {};
  if (given !== undefined && !(given instanceof DatabaseWorker)) {
    throw new TypeError('Expected the "worker" option to be a DatabaseWorker');
  }
  const worker = given ?? (sharedWorker ??= new DatabaseWorker());
  const opened = await worker.request('open', [filename, rest]);
  return new RemoteDatabase(worker, opened);
}

class RemoteDatabase {
  #worker;
  #handle;
  #open = true;

  constructor(worker, { db, name, vfs, interruptible }) {
    this.#worker = worker;
    this.#handle = db;
    Object.defineProperties(this, {
      name: { value: name, enumerable: true },
      vfs: { value: vfs, enumerable: true },
      // interrupt() can stop a running statement (see DatabaseWorker#interrupt).
      interruptible: { value: interruptible, enumerable: true },
    });
  }

  /**
   * Stops the statement that runs now, if `interruptible`: its call rejects with
   * SQLITE_INTERRUPT and the database goes on. Resolves to `interruptible` at once; an async
   * database's statement stops at its next wait on storage (one that never waits cannot be
   * reached, and runs on).
   */
  interrupt() {
    this.#worker.interrupt(this.#handle);
    return Promise.resolve(this.interruptible);
  }

  /** False once close() is called. */
  get open() {
    return this.#open;
  }

  exec(sql) {
    return this.#call('exec', sql).then(() => this);
  }

  pragma(source, options) {
    return this.#call('pragma', source, options);
  }

  /** The database image (Uint8Array), e.g. to download it. */
  serialize(options) {
    return this.#call('serialize', options);
  }

  async prepare(sql) {
    const info = await this.#call('prepare', sql);
    return new RemoteStatement(this.#worker, info, sql);
  }

  /**
   * Runs `[sql, params]` pairs (or bare SQL strings) in one transaction: resolves to each run's
   * { changes, lastInsertRowid }, or rejects with nothing applied. `mode`: 'deferred' (default),
   * 'immediate' or 'exclusive'.
   */
  transaction(statements, { mode = 'deferred' } = {}) {
    if (!Array.isArray(statements)) return Promise.reject(new TypeError('Expected an array of [sql, params] pairs'));
    const list = statements.map((s) => (typeof s === 'string' ? [s, []] : [s?.[0], s?.[1] ?? []]));
    return this.#call('transaction', mode, list);
  }

  async close() {
    if (!this.#open) return this;
    this.#open = false;
    await this.#worker.request('close', [this.#handle]);
    return this;
  }

  #call(op, ...args) {
    return this.#worker.request(op, [this.#handle, ...args]);
  }
}

class RemoteStatement {
  #worker;
  #handle;
  #modes = { pluck: false, raw: false, expand: false, safeIntegers: undefined };

  constructor(worker, { st, reader, readonly, columns }, source) {
    this.#worker = worker;
    this.#handle = st;
    this.columnList = columns;
    Object.defineProperties(this, {
      source: { value: source, enumerable: true },
      reader: { value: reader, enumerable: true },
      readonly: { value: readonly, enumerable: true },
    });
  }

  run(...params) {
    return this.#call('run', params);
  }

  get(...params) {
    return this.#call('get', params);
  }

  all(...params) {
    return this.#call('all', params);
  }

  /** Rows in batches; leaving the loop early closes the iterator in the Worker. */
  async *iterate(...params) {
    const { it } = await this.#call('iterate', params);
    let done = false;
    try {
      while (!done) {
        const batch = await this.#worker.request('next', [it, iterateBatch]);
        done = batch.done;
        yield* batch.rows;
      }
    } finally {
      if (!done) await this.#worker.request('return', [it]);
    }
  }

  /** Column descriptions, as the synchronous columns() gives them (null for a non-reader). */
  columns() {
    if (!this.reader) throw new TypeError('The columns() method is only for statements that return data');
    return this.columnList;
  }

  pluck(toggle = true) {
    return this.#mode('pluck', toggle);
  }

  raw(toggle = true) {
    return this.#mode('raw', toggle);
  }

  expand(toggle = true) {
    return this.#mode('expand', toggle);
  }

  safeIntegers(toggle = true) {
    if (typeof toggle !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
    this.#modes.safeIntegers = toggle;
    return this;
  }

  /** Frees the statement in the Worker. */
  finalize() {
    return this.#worker.request('finalize', [this.#handle]);
  }

  // As in the synchronous API: one of pluck, raw and expand at a time, readers only.
  #mode(name, toggle) {
    if (typeof toggle !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
    if (!this.reader) throw new TypeError(`The ${name}() method is only for statements that return data`);
    if (toggle) Object.assign(this.#modes, { pluck: false, raw: false, expand: false });
    this.#modes[name] = toggle;
    return this;
  }

  #call(op, params) {
    return this.#worker.request(op, [this.#handle, params, this.#modes]);
  }
}

const errorClasses = { TypeError, RangeError };

function reviveError({ name, message, code, errcode, cause }) {
  let error;
  if (name === 'SqliteError') error = new SqliteError(message, code, errcode);
  else {
    error = new (errorClasses[name] ?? Error)(message);
    if (!errorClasses[name] && name) error.name = name;
    if (code !== undefined) error.code = code;
  }
  if (cause) error.cause = Object.assign(new Error(cause.message), { name: cause.name });
  return error;
}
