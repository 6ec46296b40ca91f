// The VFSes under real SQLite traffic: files written through node-fs must be plain SQLite
// databases that native SQLite reads (and the reverse); memory files are shared in-process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-component-interop-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function fill(db, rows) {
  db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, label TEXT, score REAL, data BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(BigInt(i), `row ${i} ✓`, i / 8, Buffer.alloc(i % 300, i & 0xff));
  })();
}

describe('node-fs ↔ native SQLite', () => {
  it('a database written through node-fs opens in better-sqlite3 and the sqlite3 CLI', () => {
    const file = join(dir, 'ours.db');
    const db = new Database(file, { vfs: 'node-fs' });
    fill(db, 5000);
    db.exec('CREATE INDEX t_label ON t(label); UPDATE t SET score = score * 2 WHERE id % 3 = 0');
    db.exec('DELETE FROM t WHERE id % 7 = 0');
    const ours = db.prepare('SELECT * FROM t ORDER BY id').all();
    db.close();
    assert.equal(existsSync(`${file}-journal`), false, 'the rollback journal is gone after commit');

    const native = new NativeDatabase(file, { readonly: true });
    assert.equal(native.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(native.prepare('SELECT * FROM t ORDER BY id').all(), ours);
    native.close();

    const cli = execFileSync('sqlite3', [file, 'PRAGMA integrity_check; SELECT count(*), sum(id) FROM t;'], {
      encoding: 'utf8',
    });
    const count = ours.length;
    const sum = ours.reduce((s, r) => s + r.id, 0);
    assert.equal(cli, `ok\n${count}|${sum}\n`);
  });

  it('a database written by native SQLite is read and modified through node-fs', () => {
    const file = join(dir, 'native.db');
    const native = new NativeDatabase(file);
    native.pragma('journal_mode = DELETE');
    fill(native, 3000);
    const expected = native.prepare('SELECT * FROM t ORDER BY id').all();
    native.close();

    const db = new Database(file, { vfs: 'node-fs' });
    assert.deepEqual(db.prepare('SELECT * FROM t ORDER BY id').all(), expected);
    db.prepare('UPDATE t SET label = upper(label) WHERE id < 100').run();
    db.close();

    const again = new NativeDatabase(file, { readonly: true });
    assert.equal(again.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(again.prepare('SELECT label FROM t WHERE id = 5').pluck().get(), 'ROW 5 ✓');
    again.close();
  });

  it('a rolled-back transaction leaves the file as it was', () => {
    const file = join(dir, 'rollback.db');
    const db = new Database(file, { vfs: 'node-fs' });
    fill(db, 1000);
    assert.throws(
      db.transaction(() => {
        db.prepare('DELETE FROM t').run();
        throw new Error('abandon');
      }),
      /abandon/,
    );
    db.close();
    const native = new NativeDatabase(file, { readonly: true });
    assert.equal(native.prepare('SELECT count(*) FROM t').pluck().get(), 1000);
    native.close();
  });

  it('opens read-only and refuses writes with SQLITE_READONLY', () => {
    const file = join(dir, 'readonly.db');
    new NativeDatabase(file).exec('CREATE TABLE k(x); INSERT INTO k VALUES (1)').close();
    const db = new Database(file, { vfs: 'node-fs', readonly: true });
    assert.throws(() => db.exec('INSERT INTO k VALUES (2)'), (e) => e instanceof SqliteError && e.code === 'SQLITE_READONLY');
    assert.equal(db.prepare('SELECT count(*) FROM k').pluck().get(), 1);
    db.close();
  });
});

describe('memory VFS', () => {
  it('two connections to one name share the data', () => {
    const a = new Database('shared-1', { vfs: 'memory' });
    const b = new Database('shared-1', { vfs: 'memory' });
    a.exec('CREATE TABLE k(x); INSERT INTO k VALUES (42)');
    assert.deepEqual(b.prepare('SELECT x FROM k').all(), [{ x: 42 }]);
    b.exec('INSERT INTO k VALUES (43)');
    assert.equal(a.prepare('SELECT sum(x) FROM k').pluck().get(), 85);
    a.close();
    b.close();
  });

  it('a writer excludes another writer until it commits', () => {
    const a = new Database('shared-2', { vfs: 'memory', timeout: 0 });
    const b = new Database('shared-2', { vfs: 'memory', timeout: 0 });
    a.exec('CREATE TABLE k(x)');
    a.exec('BEGIN IMMEDIATE; INSERT INTO k VALUES (1)');
    assert.throws(() => b.exec('INSERT INTO k VALUES (2)'), (e) => e.code === 'SQLITE_BUSY');
    // Readers still see the last committed state.
    assert.equal(b.prepare('SELECT count(*) FROM k').pluck().get(), 0);
    a.exec('COMMIT');
    b.exec('INSERT INTO k VALUES (2)');
    assert.equal(a.prepare('SELECT count(*) FROM k').pluck().get(), 2);
    a.close();
    b.close();
  });

  it('different names are different databases', () => {
    const a = new Database('separate-a', { vfs: 'memory' });
    const b = new Database('separate-b', { vfs: 'memory' });
    a.exec('CREATE TABLE only_in_a(x)');
    assert.equal(b.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'only_in_a'").pluck().get(), 0);
    a.close();
    b.close();
  });
});
