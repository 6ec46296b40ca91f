// Running one scenario on ours and on better-sqlite3 (the oracle), which must agree.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Database } from '../../src/node.js';

export const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
export const engines = { ours: Database, native: NativeDatabase };

/** What a call did: its value, or its error's class, message and code. */
export function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e?.constructor?.name, message: e?.message, code: e?.code };
  }
}

/** Runs `scenario(db)` on an in-memory database of each engine; returns ours, checked equal to native's. */
export function agree(scenario) {
  const results = {};
  for (const [name, Engine] of Object.entries(engines)) {
    const db = new Engine(':memory:');
    try {
      results[name] = scenario(db);
    } finally {
      if (db.open) db.close();
    }
  }
  assert.deepEqual(results.ours, results.native);
  return results.ours;
}
