// Instantiates the component: its core modules are compiled once per JS realm (by the host's
// loader: node.js reads them synchronously, browser.js compiles them in an async ready step),
// and every Database gets an instance of its own, with its own imports, synchronously.
//
// Every call into the instance passes a guard. A trap, or a host exception that unwinds
// through the guest's frames, leaves the guest's stack pointer and SQLite's state wherever
// they were: such an instance is dead, and nothing runs in it again.
import { instantiate } from '../dist/js/sqlite.js';
import { InstanceAbortedError, sqliteError } from './errors.js';
import { checkedRealloc, hotCalls, promisingHotCalls } from './hot-calls.js';
import { createCallbackScope, createFunctionsImport } from './user-functions.js';
import { createProgressImport } from './progress.js';
import { createTablesImport } from './virtual-tables.js';
import { createVfsImport } from './vfs/vfs-import.js';

/** The core modules jco's glue asks for, in order (test 05.component checks it against dist/). */
export const coreModuleNames = ['sqlite.core.wasm', 'sqlite.core2.wasm', 'sqlite.core3.wasm', 'sqlite.core4.wasm'];

const compiled = new Map();
let compileSync = null;
let prepare = null;

/**
 * Installs the host's loader. `compileSync(name)`, if the host can compile synchronously (Node),
 * returns the WebAssembly.Module; `prepare()` compiles every core module asynchronously and
 * resolves to a Map of name → module (a browser, where only async compiles of big modules work).
 */
export function setCoreLoader(loader) {
  compileSync = loader.compileSync ?? null;
  prepare = loader.prepare ?? null;
  warmUpVfs = loader.warmUpVfs ?? null;
}
let warmUpVfs = null;

let ready = null;
/** The one async step a host may need before `new Database()`: resolves once modules are compiled. */
export function coreReady() {
  if (!prepare) return Promise.resolve();
  ready ??= prepare().then((modules) => {
    for (const [name, module] of modules) compiled.set(name, module);
    if (warmUpVfs) warmUp(warmUpVfs);
  }, (e) => {
    ready = null; // a failed fetch may be retried
    throw e;
  });
  return ready;
}

function getCoreModule(name) {
  let module = compiled.get(name);
  if (!module) {
    if (!compileSync) {
      throw new Error('The SQLite module is not compiled yet: await Database.ready() (once) before new Database()');
    }
    module = compileSync(name);
    compiled.set(name, module);
  }
  return module;
}

/** One instance's life: alive until a call into it fails in a way SQLite did not report. */
export class InstanceGuard {
  dead = null; // the InstanceAbortedError every later call throws
  callbacks = 0; // user callbacks started so far (an iteration that runs them goes row by row)
  #busy = 0;
  #onAbort;

  /** User callbacks running: the instance is inside a call and may not be entered. */
  get busy() {
    return this.#busy;
  }

  set busy(count) {
    if (count > this.#busy) this.callbacks++;
    this.#busy = count;
  }

  constructor(onAbort) {
    this.#onAbort = onAbort;
  }

  #deferred = [];

  /** Throws unless a call into the instance may start now; first runs what was deferred. */
  check() {
    if (this.dead) throw this.dead;
    if (this.busy) throw new TypeError('This database connection is busy executing a query');
    if (this.#deferred.length) this.#deferred.splice(0).forEach((call) => call());
  }

  /** check(), for a call that starts an operation (not a post-return or an allocation). */
  enter() {
    this.check();
    this.entering?.();
  }

  /** Called as each operation in the instance starts (the callbacks' scope forgets the last one's). */
  entering = null;

  /** Runs `call` (which calls into the instance) now, or before the next call if busy. */
  whenFree(call) {
    if (this.busy) this.#deferred.push(call);
    else call();
  }

  abort(cause) {
    if (!this.dead) {
      this.dead = new InstanceAbortedError(cause);
      this.#onAbort?.();
    }
    return this.dead;
  }
}

// The exports jco's glue calls, each behind the guard. Destructors of a dead instance do
// nothing: they run from finalizers too, which must not throw.
function guardedExports(exports, guard) {
  const guarded = {};
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== 'function') {
      guarded[name] = value;
    } else if (name === 'cabi_realloc') {
      const realloc = checkedRealloc(value);
      guarded[name] = (...args) => {
        guard.check();
        return realloc(...args);
      };
    } else {
      const isDestructor = name.includes('[dtor]');
      // A post-return runs after its export returned, before the error it returned is read.
      const isPostReturn = name.startsWith('cabi_post_');
      guarded[name] = (...args) => {
        if (guard.dead && isDestructor) return undefined;
        if (isPostReturn) guard.check();
        else guard.enter();
        try {
          return value(...args);
        } catch (e) {
          throw guard.abort(e);
        }
      };
    }
  }
  return guarded;
}

// A fresh instance with its own `vfs` import (vfs/vfs-import.js): its exported `database`
// interface (`api`), direct calls for the hot paths (`hot`, see hot-calls.js), its `guard` and
// its `vfsImport`. If the instance dies, its files (and so its locks) are let go.
function instantiateFresh() {
  const vfsImport = createVfsImport();
  const guard = new InstanceGuard(vfsImport.closeAll);
  const callbacks = createCallbackScope(guard);
  guard.entering = callbacks.reset;
  const functionsImport = createFunctionsImport(callbacks);
  const tablesImport = createTablesImport(callbacks);
  const progressImport = createProgressImport(callbacks);
  // The error a failure of `extendedCode` throws: a user callback's own exception, or a
  // SqliteError with the VFS's exception as its cause.
  const failureOf = (message, extendedCode) =>
    callbacks.takeThrown() ?? sqliteError(message, extendedCode, vfsImport.causeOf(extendedCode));
  let core;
  // jco instantiates several core modules; ours is the one that exports cabi_realloc.
  const instantiateCore = (module, importObject) => {
    const instance = new WebAssembly.Instance(module, importObject);
    if (typeof instance.exports.cabi_realloc !== 'function') return instance;
    core = instance.exports;
    return { exports: guardedExports(core, guard) };
  };
  const callbackLink = { detached: false };
  const imports = {
    'sqlite:component/vfs': vfsImport.functions,
    'sqlite:component/functions': weakImport(functionsImport.functions, callbacksGone.functions, callbackLink),
    'sqlite:component/tables': weakImport(tablesImport.functions, callbacksGone.tables, callbackLink),
    'sqlite:component/progress': weakImport(progressImport.functions, callbacksGone.progress, callbackLink),
  };
  const { database } = instantiate(getCoreModule, imports, instantiateCore);
  return {
    api: database, hot: hotCalls(core, guard, failureOf), guard, vfsImport, callbacks, functionsImport, tablesImport,
    progressImport, failureOf, memory: core.memory,
    // Callbacks answer as `callbacksGone` from now on: the Database was collected.
    detachCallbacks: () => {
      callbackLink.detached = true;
    },
  };
}

/**
 * An instance for a database on an async VFS (async-database.js): its storage imports suspend
 * it until the VFS's promises settle (JSPI), through the second glue build.sh makes. Never
 * pooled or shared: a call suspended in it must be the only one in it.
 */
export async function instantiateAsyncInstance() {
  await coreReady();
  const { instantiate: instantiateWaiting } = await import('../dist/js/sqlite-async.js');
  const vfsImport = createVfsImport({ async: true });
  const guard = new InstanceGuard(vfsImport.closeAll);
  const callbacks = createCallbackScope(guard);
  const functionsImport = createFunctionsImport(callbacks);
  const tablesImport = createTablesImport(callbacks);
  const progressImport = createProgressImport(callbacks);
  let core;
  // The exports stay the instance's own functions: WebAssembly.promising takes nothing else.
  // The AsyncDatabase's queue does what the guard does for a synchronous instance.
  const instantiateCore = (module, importObject) => {
    const instance = new WebAssembly.Instance(module, importObject);
    if (typeof instance.exports.cabi_realloc !== 'function') return instance;
    core = instance.exports;
    return { exports: { ...instance.exports, cabi_realloc: checkedRealloc(instance.exports.cabi_realloc) } };
  };
  const imports = {
    'sqlite:component/vfs': vfsImport.functions,
    'sqlite:component/functions': functionsImport.functions,
    'sqlite:component/tables': tablesImport.functions,
    'sqlite:component/progress': progressImport.functions,
  };
  const { database } = instantiateWaiting(getCoreModule, imports, instantiateCore);
  const failureOf = (message, extendedCode) =>
    callbacks.takeThrown() ?? sqliteError(message, extendedCode, vfsImport.causeOf(extendedCode));
  return {
    api: database, hot: promisingHotCalls(core, failureOf), guard, vfsImport, callbacks, functionsImport, tablesImport,
    progressImport, failureOf, memory: core.memory,
  };
}

// User callbacks close over their Database (`db.function('f', () => db.prepare(…))`), and what
// closes a collected Database holds its instance: were the instance to hold the callbacks
// strongly, no Database with one would ever be collected. So the instance reaches them
// through a WeakRef; the Database holds them (in its instance record) while it lives.
function weakImport(functions, gone, link) {
  const ref = new WeakRef(functions);
  const weak = {};
  for (const name of Object.keys(functions)) {
    weak[name] = (...args) => (link.detached ? gone : ref.deref() ?? gone)[name](...args);
  }
  return weak;
}

// What the callback imports answer once their Database is gone: SQLite is closing the
// connection, and nothing of the user's may run.
const collectedFailure = () => {
  throw { payload: 'The database connection was garbage-collected' };
};
const callbacksGone = {
  functions: { call: collectedFailure, step: collectedFailure, value: collectedFailure },
  tables: {
    connect: collectedFailure, disconnect() {}, openScan: collectedFailure, nextRow: collectedFailure, closeScan() {},
  },
  progress: { check: () => false },
};

// Instances whose Database closed cleanly, for the next Database. A fresh instance's memory
// is untouched, and first touches are what a new connection's page cache pays for: on a 2-core
// VM, counting 100k rows took 5 ms in a fresh instance and 0.6 ms in a used one (each 4 KiB
// page touched the first time costs ~14 µs there). SQLite keeps nothing between connections
// but process-wide settings, which native SQLite shares between connections too.
const idle = [];
const maxIdle = 2;
// A bigger memory is given back to the garbage collector. The guest grows its memory ahead of
// what malloc uses (guest/libc/heap.cc: by as much again, up to 64 MiB), so this is about
// 64 MiB used.
const maxIdleMemory = 128 * 1024 * 1024;

/** How many instances wait for a Database (for tests). */
export function idleInstanceCount() {
  return idle.length;
}

// A browser compiles wasm functions on their first call: the first query of a new page paid
// ~40-90 ms for it. Running a little SQL once in the ready step moves that cost where
// Database.open overlaps it with fetching file handles, and leaves the instance for the first
// Database.
function warmUp(vfs) {
  const instance = instantiateFresh();
  const connection = instance.api.Connection.open(':memory:', vfs, 0x6);
  const { statement } = connection.prepare("SELECT 1 AS a, 'b' AS b, 1.5 AS c, x'00' AS d");
  statement.stepMany(undefined, 1, 1024, true);
  statement[Symbol.dispose]();
  connection.exec('CREATE TABLE warm(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX warm_v ON warm(v);'
    + "INSERT INTO warm(v) VALUES ('x'); UPDATE warm SET v = 'y' WHERE id = 1; SELECT count(*) FROM warm; DROP TABLE warm");
  connection.close();
  connection[Symbol.dispose]();
  releaseInstance(instance);
}

/**
 * An instance for a new Database: an idle one if there is one, else a fresh one. With
 * `maxMemory` (bytes), one whose memory has not grown past it, limited to it.
 */
export function instantiateDatabase(maxMemory = 0) {
  if (!maxMemory) return idle.pop() ?? instantiateFresh();
  const fits = idle.findLastIndex((instance) => instance.memory.buffer.byteLength <= maxMemory);
  const instance = fits >= 0 ? idle.splice(fits, 1)[0] : instantiateFresh();
  instance.api.memoryLimit(BigInt(maxMemory));
  instance.memoryLimited = true;
  return instance;
}

/** Takes back the instance of a Database that closed: kept if clean, alive and small. */
export function releaseInstance(instance) {
  if (instance.guard.dead || instance.vfsImport.openFileCount() !== 0) return;
  if (idle.length >= maxIdle || instance.memory.buffer.byteLength > maxIdleMemory) return;
  instance.vfsImport.forgetFailure();
  instance.callbacks.reset();
  instance.functionsImport.reset();
  instance.tablesImport.reset();
  instance.progressImport.reset();
  if (instance.memoryLimited) {
    instance.api.memoryLimit(0n);
    instance.memoryLimited = false;
  }
  idle.push(instance);
}
