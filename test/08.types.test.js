// The hand-written types (types/): tsc compiles examples that use them as better-sqlite3's
// docs use its API, and every runtime export of each entry has a declaration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const declared = (file) => {
  const text = readFileSync(new URL(file, root), 'utf8');
  return new Set([...text.matchAll(/export (?:declare )?(?:class|function|const|interface|type) (\w+)/g)].map((m) => m[1]));
};

describe('types', () => {
  it('tsc --noEmit accepts the examples (ESM, CommonJS require, browser)', () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/types/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  });

  it('every runtime export of the Node and browser entries is declared', async () => {
    const common = declared('types/common.d.ts');
    const node = new Set([...common, ...declared('types/node.d.ts')]);
    const browser = new Set([...common, ...declared('types/browser.d.ts')]);
    for (const [entry, names] of [['../src/node.js', node], ['../src/browser.js', browser]]) {
      const api = await import(entry);
      const missing = Object.keys(api).filter((name) => name !== 'default' && !names.has(name) && !/^coreModule/.test(name));
      assert.deepEqual(missing, [], `${entry} exports without types`);
    }
  });
});
