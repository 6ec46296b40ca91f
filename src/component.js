// Loads the component: its core modules are compiled once per process, and every Database
// gets an instance of its own, with its own imports, synchronously.
//
// Every call into the instance passes a guard. A trap, or a host exception that unwinds
// through the guest's frames, leaves the guest's stack pointer and SQLite's state wherever
// they were: such an instance is dead, and nothing runs in it again.
import { readFileSync } from 'node:fs';
import { instantiate } from '../dist/js/sqlite.js';
import { InstanceAbortedError } from './errors.js';
import { checkedRealloc, hotCalls } from './hot-calls.js';

const bindings = new URL('../dist/js/', import.meta.url);
const compiled = new Map();

function getCoreModule(name) {
  let module = compiled.get(name);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(new URL(name, bindings)));
    compiled.set(name, module);
  }
  return module;
}

/** One instance's life: alive until a call into it fails in a way SQLite did not report. */
export class InstanceGuard {
  dead = null; // the InstanceAbortedError every later call throws
  #onAbort;

  constructor(onAbort) {
    this.#onAbort = onAbort;
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
        if (guard.dead) throw guard.dead;
        return realloc(...args);
      };
    } else {
      const isDestructor = name.includes('[dtor]');
      guarded[name] = (...args) => {
        if (guard.dead) {
          if (isDestructor) return undefined;
          throw guard.dead;
        }
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

// A fresh instance served by `vfsImport` (vfs/vfs-import.js): its exported `database`
// interface (`api`), direct calls for the hot paths (`hot`, see hot-calls.js) and its `guard`.
// If the instance dies, its files (and so its locks) are let go.
export function instantiateDatabase(vfsImport) {
  const guard = new InstanceGuard(vfsImport.closeAll);
  let core;
  // jco instantiates several core modules; ours is the one that exports cabi_realloc.
  const instantiateCore = (module, importObject) => {
    const instance = new WebAssembly.Instance(module, importObject);
    if (typeof instance.exports.cabi_realloc !== 'function') return instance;
    core = instance.exports;
    return { exports: guardedExports(core, guard) };
  };
  const { database } = instantiate(getCoreModule, { 'sqlite:component/vfs': vfsImport.functions }, instantiateCore);
  return { api: database, hot: hotCalls(core, guard, vfsImport.causeOf), guard };
}
