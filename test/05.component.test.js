// The component as built: what it imports, and whether the hand-written ABI glue matches the WIT.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { componentWit } from '@bytecodealliance/jco';

const root = new URL('../', import.meta.url);

describe('component', () => {
  it('imports nothing but this project\'s interfaces (no WASI)', async () => {
    const wit = await componentWit(readFileSync(new URL('dist/sqlite-component.wasm', root)));
    const imports = [...wit.matchAll(/^\s*import ([^;]+);/gm)].map((m) => m[1]);
    assert.ok(imports.includes('sqlite:component/vfs@0.1.0'), wit);
    for (const name of imports) assert.match(name, /^sqlite:component\//);
    const exports = [...wit.matchAll(/^\s*export ([^;]+);/gm)].map((m) => m[1]);
    assert.deepEqual(exports, ['sqlite:component/database@0.1.0']);
  });

  it('core module imports only the vfs interface and resource intrinsics', () => {
    const core = new WebAssembly.Module(readFileSync(new URL('build/guest/sqlite-core.wasm', root)));
    const modules = new Set(WebAssembly.Module.imports(core).map((i) => i.module));
    assert.deepEqual([...modules].sort(), [
      '[export]sqlite:component/database@0.1.0',
      'sqlite:component/vfs@0.1.0',
    ]);
  });

  it('glue signatures match what wit-component expects for wit/sqlite.wit', () => {
    const report = JSON.parse(
      execFileSync(process.execPath, ['--experimental-wasm-type-reflection', 'test/support/abi-signatures.mjs'], {
        cwd: root,
        encoding: 'utf8',
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.ok(report.checkedImports >= 20 && report.checkedExports >= 20, JSON.stringify(report));
  });
});
