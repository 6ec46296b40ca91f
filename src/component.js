// Loads the component: its core modules are compiled once per process, and every Database
// gets an instance of its own, with its own imports, synchronously.
import { readFileSync } from 'node:fs';
import { instantiate } from '../dist/js/sqlite.js';
import { hotCalls } from './hot-calls.js';

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

// A fresh instance whose `vfs` import is `vfsImports`: its exported `database` interface
// (`api`), direct calls for the hot paths (`hot`, see hot-calls.js), and `statementRep()`,
// the guest pointer of the statement most recently created, which the hot calls take.
export function instantiateDatabase(vfsImports) {
  let main;
  let lastStatementRep = 0;
  // jco instantiates several core modules; ours is the one that creates resources.
  const instantiateCore = (module, importObject) => {
    const intrinsics = importObject?.['[export]sqlite:component/database@0.1.0'];
    if (intrinsics) {
      const createStatement = intrinsics['[resource-new]statement'];
      intrinsics['[resource-new]statement'] = (rep) => {
        lastStatementRep = rep;
        return createStatement(rep);
      };
    }
    const instance = new WebAssembly.Instance(module, importObject);
    if (intrinsics) main = instance.exports;
    return instance;
  };
  const { database } = instantiate(getCoreModule, { 'sqlite:component/vfs': vfsImports }, instantiateCore);
  return { api: database, hot: hotCalls(main), statementRep: () => lastStatementRep };
}
