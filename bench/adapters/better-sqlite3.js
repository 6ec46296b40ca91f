// better-sqlite3, the native addon: the speed limit the wasm engines are measured against.
// Resolved from the project root, where it is already built as the test oracle, or, for the
// Node 24 group, from BENCH_BETTER_SQLITE3_FROM (test/node24/oracle, its build for Node 24).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { preparedApi } from './prepared-api.js';

const from = process.env.BENCH_BETTER_SQLITE3_FROM;
const require = createRequire(from ? pathToFileURL(`${from}/`) : import.meta.url);
const Database = require('better-sqlite3');

export const label = `better-sqlite3 ${require('better-sqlite3/package.json').version}`;
export const wasmFile = null;
export const hasFiles = true;
export const capabilities = ['prepareEach', 'wal'];

export function open(file) {
  const db = new Database(file ?? ':memory:');
  return preparedApi(db, { spread: false });
}
