// sqlite-component itself, through its better-sqlite3-style API: the in-memory database on the
// memory VFS, files on the node-fs VFS.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
// The package's Node entry as users load it: src/node.js bundled (scripts/build.sh).
import { Database } from '../../dist/node.js';
import { preparedApi } from './prepared-api.js';

const require = createRequire(import.meta.url);

export const label = `ours ${require('../../package.json').version}`;
export const wasmFile = fileURLToPath(new URL('../../dist/sqlite-component.wasm', import.meta.url));
export const hasFiles = true;
export const capabilities = ['prepareEach', 'wal'];

// BENCH_PROGRESS_STEPS=N sets a progress handler every N steps on every connection, that
// answers "go on": what the shell's Ctrl-C costs, measured against a run without it.
const progressSteps = Number(process.env.BENCH_PROGRESS_STEPS) || 0;

export function open(file) {
  // ':memory:' lives in SQLite's own pages, as it does for better-sqlite3 and the official build.
  const db = file ? new Database(file, { vfs: 'node-fs' }) : new Database(':memory:', { vfs: 'memory' });
  if (progressSteps) db.progressHandler(progressSteps, () => false);
  return preparedApi(db, { spread: true });
}
