// The component as built: what it imports, and whether the hand-written ABI glue matches the WIT.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { componentWit } from '@bytecodealliance/jco';
import { coreModuleNames } from '../src/component.js';

const root = new URL('../', import.meta.url);

describe('component', () => {
  it('imports nothing but this project\'s interfaces (no WASI)', async () => {
    const wit = await componentWit(readFileSync(new URL('dist/sqlite-component.wasm', root)));
    const imports = [...wit.matchAll(/^\s*import ([^;]+);/gm)].map((m) => m[1]);
    assert.ok(imports.includes('sqlite:component/vfs@0.1.0') && imports.includes('sqlite:component/functions@0.1.0'), wit);
    for (const name of imports) assert.match(name, /^sqlite:component\//);
    const exports = [...wit.matchAll(/^\s*export ([^;]+);/gm)].map((m) => m[1]);
    assert.deepEqual(exports, ['sqlite:component/database@0.1.0']);
  });

  it('core module imports only our vfs, functions, tables and progress interfaces and resource intrinsics', () => {
    const core = new WebAssembly.Module(readFileSync(new URL('build/guest/sqlite-core.wasm', root)));
    const modules = new Set(WebAssembly.Module.imports(core).map((i) => i.module));
    assert.deepEqual([...modules].sort(), [
      '[export]sqlite:component/database@0.1.0',
      'sqlite:component/functions@0.1.0',
      'sqlite:component/progress@0.1.0',
      'sqlite:component/tables@0.1.0',
      'sqlite:component/vfs@0.1.0',
    ]);
  });

  it('the core modules a browser compiles ahead are exactly those the glue asks for', () => {
    const glue = readFileSync(new URL('dist/js/sqlite.js', root), 'utf8');
    const asked = [...glue.matchAll(/getCoreModule\('([^']+)'\)/g)].map((m) => m[1]);
    assert.deepEqual(asked, coreModuleNames);
    const shipped = readdirSync(new URL('dist/js/', root)).filter((f) => f.endsWith('.wasm')).sort();
    assert.deepEqual(shipped, [...coreModuleNames].sort());
  });

  it('glue signatures match what wit-component expects for wit/sqlite.wit', () => {
    const report = JSON.parse(
      execFileSync(process.execPath, ['--experimental-wasm-type-reflection', 'test/support/abi-signatures.mjs'], {
        cwd: root,
        encoding: 'utf8',
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.ok(report.checkedImports >= 20 && report.checkedExports >= 15, JSON.stringify(report));
  });
});

describe('hand-read layouts', () => {
  it('every offset src/hot-calls.js reads matches the canonical ABI layout of wit/sqlite.wit', async () => {
    const { LAYOUT } = await import('../src/hot-calls.js');
    const { readWit, layout } = await import('./support/canonical-layout.js');
    const wit = readWit(new URL('wit/sqlite.wit', root));
    const error = layout(wit, 'error').fields;
    assert.deepEqual(LAYOUT.error, {
      code: error.code.offset,
      extendedCode: error['extended-code'].offset,
      message: error.message.offset,
      messageLength: error.message.offset + 4,
      offset: error.offset.offset,
    });

    assert.equal(wit.results.get('run'), 'result<run-result, error>');
    const run = layout(wit, wit.results.get('run'));
    const runResult = layout(wit, 'run-result').fields;
    assert.deepEqual(LAYOUT.run, {
      isErr: 0,
      error: run.payload,
      changes: run.payload + runResult.changes.offset,
      lastInsertRowid: run.payload + runResult['last-insert-rowid'].offset,
    });

    assert.equal(wit.results.get('step-many'), 'result<rows, error>');
    const stepMany = layout(wit, wit.results.get('step-many'));
    const rows = layout(wit, 'rows').fields;
    const failure = layout(wit, 'option<error>');
    assert.deepEqual(LAYOUT.stepMany, {
      isErr: 0,
      error: stepMany.payload,
      columnCount: stepMany.payload + rows['column-count'].offset,
      rowCount: stepMany.payload + rows['row-count'].offset,
      cells: stepMany.payload + rows.cells.offset,
      cellsLength: stepMany.payload + rows.cells.offset + 4,
      done: stepMany.payload + rows.done.offset,
      hasFailure: stepMany.payload + rows.failure.offset,
      failure: stepMany.payload + rows.failure.offset + failure.payload,
    });
  });

  it('the layout calculator agrees with sizes the canonical ABI fixes', async () => {
    const { readWit, layout } = await import('./support/canonical-layout.js');
    const wit = readWit(new URL('wit/sqlite.wit', root));
    // result<run-result, error>: 8-aligned payload after the discriminant; the 20-byte error is
    // the larger case, so 28 bytes rounded up to the alignment, 32.
    assert.deepEqual([layout(wit, 'result<run-result, error>').size, layout(wit, 'result<run-result, error>').payload], [32, 8]);
    assert.deepEqual([layout(wit, 'option<u8>').size, layout(wit, 'option<u8>').payload], [2, 1]);
    assert.deepEqual([layout(wit, 'result<_, s32>').size, layout(wit, 'result<u64, s32>').size], [8, 16]);
    assert.equal(layout(wit, 'error').size, 20);
  });
});
