// Loads the component: its core modules are compiled once per process, and every Database
// gets an instance of its own, with its own imports, synchronously.
import { readFileSync } from 'node:fs';
import { instantiate } from '../dist/js/sqlite.js';

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

// The exported `database` interface of a fresh instance whose `vfs` import is `vfsImports`.
export function instantiateDatabase(vfsImports) {
  return instantiate(getCoreModule, { 'sqlite:component/vfs': vfsImports }).database;
}
