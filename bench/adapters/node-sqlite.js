// node:sqlite, the SQLite built into Node (DatabaseSync, Node >= 22.13): what a Node user who
// wants no native build picks. Runs in the Node 24 group only; under an older Node its import
// fails and the child reports it as skipped.
import { DatabaseSync } from 'node:sqlite';
import { preparedApi } from './prepared-api.js';

export const label = `node:sqlite ${process.version}`;
export const wasmFile = null;
export const hasFiles = true;
export const capabilities = ['prepareEach', 'wal'];

export function open(file) {
  const db = new DatabaseSync(file ?? ':memory:');
  return preparedApi(db, { spread: true });
}
