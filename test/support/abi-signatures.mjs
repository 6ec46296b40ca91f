// Compares the core module's imports and exports with the signatures wit-component expects
// for our WIT (from `jco embed --dummy`), since no generator guards the hand-written glue.
// Needs --experimental-wasm-type-reflection. Prints one JSON report.
import { readFileSync } from 'node:fs';
import { componentEmbed } from '@bytecodealliance/jco';

const root = new URL('../../', import.meta.url);
const ours = new WebAssembly.Module(readFileSync(new URL('build/guest/sqlite-core.wasm', root)));
const dummy = new WebAssembly.Module(
  await componentEmbed({
    dummy: true,
    witSource: readFileSync(new URL('wit/sqlite.wit', root), 'utf8'),
    world: 'sqlite',
  }),
);

// The dummy uses the newer naming scheme; ours uses the legacy one wit-component also accepts.
const version = (iface) => iface.replace(/@0\.1$/, '@0.1.0');
function legacyImport({ module, name }) {
  if (module.startsWith('cm32p2|_ex_')) {
    const [resource, intrinsic] = name.split('_');
    return [`[export]${version(module.slice('cm32p2|_ex_'.length))}`, `[resource-${intrinsic}]${resource}`];
  }
  return [version(module.slice('cm32p2|'.length)), name];
}
function legacyExport(name) {
  const special = { cm32p2_memory: 'memory', cm32p2_realloc: 'cabi_realloc', cm32p2_initialize: '_initialize' };
  if (special[name]) return special[name];
  const [, iface, func] = name.split('|');
  if (!func) return name;
  const dtor = func.match(/^(.*)_dtor$/);
  return `${version(iface)}#${dtor ? `[dtor]${dtor[1]}` : func}`;
}

const signature = (t) => (t ? `${t.parameters.join(',')}->${t.results.join(',')}` : t);
const expectedImports = new Map(
  WebAssembly.Module.imports(dummy).map((i) => [legacyImport(i).join(' '), signature(i.type)]),
);
const expectedExports = new Map(
  WebAssembly.Module.exports(dummy)
    .filter((e) => !e.name.endsWith('_post'))
    .map((e) => [legacyExport(e.name), e.kind === 'function' ? signature(e.type) : e.kind]),
);

const problems = [];
for (const i of WebAssembly.Module.imports(ours)) {
  const key = `${i.module} ${i.name}`;
  if (!expectedImports.has(key)) problems.push(`unexpected import ${key}`);
  else if (expectedImports.get(key) !== signature(i.type)) {
    problems.push(`import ${key}: ${signature(i.type)}, expected ${expectedImports.get(key)}`);
  }
}
const ourExports = new Map(
  WebAssembly.Module.exports(ours).map((e) => [e.name, e.kind === 'function' ? signature(e.type) : e.kind]),
);
for (const [name, sig] of expectedExports) {
  if (!ourExports.has(name)) problems.push(`missing export ${name}`);
  else if (ourExports.get(name) !== sig) problems.push(`export ${name}: ${ourExports.get(name)}, expected ${sig}`);
}
console.log(JSON.stringify({ checkedImports: WebAssembly.Module.imports(ours).length, checkedExports: expectedExports.size, problems }));
