// db.backup against better-sqlite3: the copy, the progress calls and the pages per step they
// set, the argument checks, an attached schema, and a backup abandoned by close().
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const engines = { ours: Database, native: NativeDatabase };

async function outcome(promise) {
  try {
    return { value: await promise };
  } catch (e) {
    return { error: e.constructor.name, message: e.message, code: e.code };
  }
}

describe('db.backup', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-backup-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The same source on both engines: 20,000 rows of 100-byte blobs, about 545 pages.
  function source(Engine, name) {
    const db = new Engine(path.join(dir, `${name}-source.db`));
    db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) INSERT INTO t(b) SELECT zeroblob(100) FROM c`);
    return db;
  }

  it('copies the database in steps, calling progress as better-sqlite3 does, into a file native sqlite3 reads', async () => {
    const results = {};
    for (const [name, Engine] of Object.entries(engines)) {
      const db = source(Engine, name);
      const calls = [];
      const target = path.join(dir, `${name}-copy.db`);
      const done = await db.backup(target, { progress: (p) => { calls.push(p); return calls.length === 1 ? 200 : undefined; } });
      db.close();
      results[name] = { done, calls };
      assert.equal(execFileSync('sqlite3', [target, 'PRAGMA integrity_check; SELECT count(*) FROM t'], { encoding: 'utf8' }), 'ok\n20000\n');
    }
    assert.deepEqual(results.ours, results.native);
    assert.ok(results.ours.calls.length >= 3, JSON.stringify(results.ours.calls));
    assert.equal(results.ours.done.remainingPages, 0);
  });

  it('copies an attached schema, over an existing file, in memory too', async () => {
    for (const [name, Engine] of Object.entries(engines)) {
      const db = new Engine(':memory:');
      db.exec(`ATTACH '${path.join(dir, `${name}-attached.db`)}' AS other; CREATE TABLE other.u(x); INSERT INTO other.u VALUES (42)`);
      const target = path.join(dir, `${name}-over.db`);
      fs.writeFileSync(target, '');
      await db.backup(target, { attached: 'other' });
      db.exec('CREATE TABLE main.m(y); INSERT INTO m VALUES (7)');
      const again = path.join(dir, `${name}-main.db`);
      await db.backup(again);
      db.close();
      const copy = new Engine(target);
      assert.deepEqual(copy.prepare('SELECT x FROM u').pluck().all(), [42], name);
      copy.close();
      const main = new Engine(again);
      assert.deepEqual(main.prepare('SELECT y FROM m').pluck().all(), [7], name);
      main.close();
    }
  });

  it('refuses bad arguments with better-sqlite3\'s errors, and leaves no file behind', async () => {
    const calls = (name) => [[5], [''], ['  '], [':memory:'], ['x.db', 'options'], ['x.db', { attached: 5 }], ['x.db', { attached: '' }],
      ['x.db', { progress: 1 }], [path.join(dir, 'no', 'such', 'x.db')], [path.join(dir, `${name}-bad-schema.db`), { attached: 'nope' }],
      [path.join(dir, `${name}-bad-progress.db`), { progress: () => 'fast' }]];
    const results = {};
    for (const [name, Engine] of Object.entries(engines)) {
      const db = source(Engine, `${name}-args`);
      results[name] = [];
      for (const args of calls(name)) results[name].push(await outcome(db.backup(...args)));
      db.close();
    }
    assert.deepEqual(results.ours, results.native);
    // (better-sqlite3 leaves the empty file of a backup whose schema does not exist; we do not.)
    assert.ok(!fs.existsSync(path.join(dir, 'ours-bad-schema.db')) && !fs.existsSync(path.join(dir, 'ours-bad-progress.db')));
  });

  it('closing the database abandons its backup: the promise rejects and a new file is deleted', async () => {
    const results = {};
    for (const [name, Engine] of Object.entries(engines)) {
      const db = source(Engine, `${name}-close`);
      const target = path.join(dir, `${name}-abandoned.db`);
      let calls = 0;
      const pending = db.backup(target, {
        progress: () => {
          if (++calls === 3) db.close(); // between two steps, as a page's code might
          return 1;
        },
      });
      results[name] = { outcome: await outcome(pending), exists: fs.existsSync(target) };
    }
    assert.deepEqual(results.ours, results.native);
    assert.deepEqual(results.ours, { outcome: { error: 'TypeError', message: 'The database connection is not open', code: undefined }, exists: false });
  });
});
