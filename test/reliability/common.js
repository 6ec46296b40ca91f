// What the reliability checks share: the native oracle, scratch directories, the seeded
// generator, and the one-line report each check prints for run.js.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Database } from '../../src/node.js';

export { makeRng } from '../crash/workload.js';

/** better-sqlite3: 13.2 (SQLite 3.54.1) under the Node 24 hook (run.js), else the devDependency. */
export const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

export function nativeVersion() {
  const db = new NativeDatabase(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get();
  } finally {
    db.close();
  }
}

export function ourVersion() {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get();
  } finally {
    db.close();
  }
}

/** A fresh directory for scratch files, in memory (/dev/shm) where there is one: fsync is free there. */
export function scratchDir(prefix) {
  for (const base of ['/dev/shm', os.tmpdir()]) {
    try {
      fs.accessSync(base, fs.constants.W_OK);
      return fs.mkdtempSync(path.join(base, `${prefix}-`));
    } catch {
      // the next one
    }
  }
  throw new Error('no writable scratch directory');
}

/**
 * Prints the line run.js counts: `check NAME: SUMMARY`, and ` FAILED` when not ok. Details go
 * on other lines, before it.
 */
export function report(name, ok, summary) {
  console.log(`check ${name}: ${summary}${ok ? '' : ' FAILED'}`);
}

/** 1234567 → '1,234,567'. */
export const n = (value) => Number(value).toLocaleString('en-US');

/** Reads `--name value` (or `--name=value`) options into `defaults`' keys, kebab-case to camelCase. */
export function options(defaults, argv = process.argv.slice(2)) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new TypeError(`Expected an option, got ${arg}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase()); // --per-case: perCase
    if (!(key in defaults)) throw new TypeError(`Unknown option --${key} (known: ${Object.keys(defaults).join(', ')})`);
    let value;
    if (typeof defaults[key] === 'boolean' && inline === undefined) value = true;
    else value = inline ?? argv[++i];
    if (value === undefined) throw new TypeError(`Expected a value after --${key}`);
    if (typeof defaults[key] === 'number') {
      const num = Number(String(value).replace(/_/g, ''));
      if (!Number.isFinite(num)) throw new TypeError(`Expected --${key} to be a number`);
      value = num;
    } else if (typeof defaults[key] === 'boolean') value = value === true || value === 'true' || value === '1';
    out[key] = value;
  }
  return out;
}
