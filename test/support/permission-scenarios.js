// Databases this process may not write — a read-only file, a read-only directory, read-only WAL
// files — opened by ours (node-fs) and by native SQLite (better-sqlite3) alike: prints, as JSON,
// what each engine did in each scenario. test/56.permissions runs it as an unprivileged user,
// since root may write anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Database } from '../../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const engines = { ours: (file, options) => new Database(file, options), native: (file, options) => new NativeDatabase(file, options) };

// What a call did: its value, or the error's code.
function outcome(call) {
  try {
    const value = call();
    return value === undefined ? 'ok' : value;
  } catch (e) {
    return e.code ?? `${e.name}: ${e.message}`;
  }
}

// A database of one row, in journal mode `mode`, closed, in a new directory `dir`; with
// `walFiles`, its -wal and -shm as a crashed writer leaves them (copied while it was open).
function makeDatabase(dir, mode, walFiles = false) {
  fs.mkdirSync(dir);
  const file = path.join(dir, 'db.sqlite');
  const source = path.join(dir, 'source.sqlite');
  const db = new NativeDatabase(source);
  db.pragma(`journal_mode = ${mode}`);
  db.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('row')");
  for (const suffix of walFiles ? ['', '-wal', '-shm'] : ['']) fs.copyFileSync(source + suffix, file + suffix);
  db.close();
  fs.rmSync(source);
  return file;
}

const scenarios = {
  'read-only file': (dir) => {
    const file = makeDatabase(dir, 'delete');
    fs.chmodSync(file, 0o444);
    return file;
  },
  'read-only directory': (dir) => {
    const file = makeDatabase(dir, 'delete');
    fs.chmodSync(dir, 0o555);
    return file;
  },
  'read-only WAL files, directory writable': (dir) => {
    const file = makeDatabase(dir, 'wal', true);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.chmodSync(f, 0o444);
    return file;
  },
  'read-only WAL database, no -shm, read-only directory': (dir) => {
    const file = makeDatabase(dir, 'wal');
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o555);
    return file;
  },
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-permissions-'));
const results = {};
try {
  for (const [name, make] of Object.entries(scenarios)) {
    results[name] = {};
    for (const [engine, open] of Object.entries(engines)) {
      const file = make(path.join(root, `${engine}-${Object.keys(results).length}`));
      for (const readonly of [false, true]) {
        let db;
        const opened = outcome(() => {
          db = open(file, { readonly, timeout: 0 });
        });
        results[name][`${engine} readonly=${readonly}`] = db
          ? {
              read: outcome(() => db.prepare('SELECT x FROM t').pluck().all().join()),
              write: outcome(() => db.prepare("INSERT INTO t VALUES ('more')").run().changes),
              readAfter: outcome(() => db.prepare('SELECT count(*) FROM t').pluck().get()),
              close: outcome(() => db.close() && undefined),
            }
          : { open: opened };
      }
    }
  }
} finally {
  for (const entry of fs.readdirSync(root, { recursive: true }).map((e) => path.join(root, e))) {
    try {
      fs.chmodSync(entry, 0o755);
    } catch {}
  }
  fs.rmSync(root, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(results));
