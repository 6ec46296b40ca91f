// The edges of the boundary between the engine and the host: what a VFS answers that it should
// not, short reads reported as errors, guest memory past 2 GiB, and memory running out while
// the host lowers an argument. Each must end in a clear error or a right answer, never in a
// trap, a wrong row, or a database that stops working.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Database, MemoryVfs, SqliteError, VfsError, registerVfs } from '../src/node.js';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const SQLITE_IOERR_SHORT_READ = 522;

// A memory VFS whose files' reads go through `hook(file, offset, length, read)`.
function hookedVfs(name, hook) {
  class Hooked extends MemoryVfs {
    open(path, flags) {
      const opened = super.open(path, flags);
      const read = opened.file.read.bind(opened.file);
      opened.file.read = (offset, length) => hook(path, offset, length, read);
      return opened;
    }
  }
  const vfs = new Hooked();
  Object.defineProperty(vfs, 'name', { value: name });
  registerVfs(vfs);
  return vfs;
}

describe('a VFS read that returns something other than bytes', () => {
  for (const [what, value] of [['a string', 'not bytes'], ['a number', 4096], ['null', null], ['a plain array', [1, 2, 3]]]) {
    it(`(${what}) is SQLITE_IOERR_READ with a TypeError as its cause; the database goes on`, () => {
      let bad = false;
      MemoryVfs.files.delete('bad-read.db');
      hookedVfs(`bad-read-${what}`, (path, offset, length, read) => (bad && offset > 0 ? value : read(offset, length)));
      const db = new Database('bad-read.db', { vfs: `bad-read-${what}` });
      db.exec(`PRAGMA cache_size = 0; CREATE TABLE t(x);
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20)
        INSERT INTO t SELECT printf('%.2000c', 'x') FROM c`);
      const reader = new Database('bad-read.db', { vfs: `bad-read-${what}` });
      bad = true;
      assert.throws(
        () => reader.prepare('SELECT count(*) FROM t').pluck().get(),
        (e) => e instanceof SqliteError && e.code === 'SQLITE_IOERR_READ' && e.cause instanceof TypeError,
      );
      bad = false;
      assert.equal(reader.prepare('SELECT count(*) FROM t').pluck().get(), 20);
      // A stray landing buffer would put this SQL text into a page buffer: both stay intact.
      assert.equal(reader.prepare(`SELECT '${'q'.repeat(3000)}' AS s`).pluck().get().length, 3000);
      assert.equal(reader.pragma('integrity_check', { simple: true }), 'ok');
      reader.close();
      db.close();
    });
  }
});

describe('a read the VFS reports as SQLITE_IOERR_SHORT_READ', () => {
  it('reads as zeros, never as the stale bytes of an earlier page', () => {
    let shortOffset = -1;
    hookedVfs('short-read-memory', (path, offset, length, read) => {
      if (offset === shortOffset) throw new VfsError(SQLITE_IOERR_SHORT_READ, 'short');
      return read(offset, length);
    });
    const db = new Database('short.db', { vfs: 'short-read-memory' });
    db.exec(`PRAGMA page_size = 4096; CREATE TABLE a(v); CREATE TABLE b(v); CREATE TABLE c(v);
      INSERT INTO a VALUES ('${'A'.repeat(100)}'); INSERT INTO b VALUES ('${'B'.repeat(100)}');`);
    const rootOf = (table) => db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table);
    const reader = new Database('short.db', { vfs: 'short-read-memory' });
    // Cache pages a and b; a write elsewhere then makes the reader drop its cache, whose page
    // buffers hold a's and b's bytes when they are reused.
    assert.equal(reader.prepare('SELECT v FROM a').pluck().get()[0], 'A');
    assert.equal(reader.prepare('SELECT v FROM b').pluck().get()[0], 'B');
    db.exec("INSERT INTO c VALUES ('c')");
    shortOffset = (rootOf('b') - 1) * 4096;
    const result = (() => {
      try {
        return { rows: reader.prepare('SELECT v FROM b').pluck().all() };
      } catch (e) {
        return { code: e.code };
      }
    })();
    // A zeroed page is no b-tree page: SQLite calls it corrupt rather than answering from it.
    assert.deepEqual(result, { code: 'SQLITE_CORRUPT' });
    shortOffset = -1;
    db.exec("INSERT INTO c VALUES ('d')"); // so the reader drops the zeroed page it cached
    assert.deepEqual(reader.prepare('SELECT v FROM b').pluck().all(), ['B'.repeat(100)]);
    reader.close();
    db.close();
  });
});

// These need gigabytes of guest memory: each runs in a child process, which gives it back.
function inChild(script) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 240000,
  });
  assert.equal(child.status, 0, `${child.stdout}\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

// Guest memory is taken up quickly by parameters: a statement keeps what was last bound to it
// (bound without a copy) until its next execution with parameters. Each holder keeps `bytes`.
const HOLD = `
  function hold(db, count, bytes) {
    const value = new Uint8Array(bytes);
    const holders = [];
    for (let i = 0; i < count; i++) {
      // Distinct SQL: statements of the same SQL share one guest statement (and its binding).
      const holder = db.prepare(\`SELECT length(?) AS held\${i}\`);
      holder.pluck().get(value);
      holders.push(holder);
    }
    return holders;
  }
`;

describe('guest memory past 2 GiB', () => {
  it('values, names, errors and file pages at addresses above 2 GiB cross intact', () => {
    const result = inChild(`
      import { Database } from './src/node.js';
      import NativeDatabase from 'better-sqlite3';
      import { mkdtempSync, rmSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      ${HOLD}
      const dir = mkdtempSync(join(tmpdir(), 'sqlite-component-26-'));
      const db = new Database(':memory:');
      const held = hold(db, 5, 450 << 20); // 2.2 GiB: what is allocated from here on lies above 2 GiB
      const out = {};
      const mib = 'x'.repeat(1 << 20);
      db.exec('CREATE TABLE big(v TEXT)');
      const insert = db.prepare('INSERT INTO big VALUES (?)');
      for (let i = 0; i < 20; i++) insert.run(mib + i);
      out.values = db.prepare('SELECT v FROM big').pluck().all().map((v, i) => v === mib + i);
      const named = db.prepare('SELECT 1 AS ' + '"' + 'c'.repeat(300) + '", ? AS echo');
      out.columns = named.columns().map((c) => c.name.length);
      out.echo = named.get(mib + 'echo').echo.slice(-8);
      try { db.prepare('SELECT * FROM no_such_table_' + 'z'.repeat(200)); } catch (e) { out.error = [e.code, e.message.length]; }
      db.exec("ATTACH '" + join(dir, 'f.db') + "' AS f; CREATE TABLE f.t(v BLOB)");
      const blob = Buffer.alloc(1 << 20, 7);
      db.prepare('INSERT INTO f.t VALUES (?)').run(blob);
      db.exec('DETACH f');
      const native = new NativeDatabase(join(dir, 'f.db'));
      out.file = [native.pragma('integrity_check', { simple: true }), native.prepare('SELECT v FROM t').pluck().get().equals(blob)];
      native.close();
      out.image = new Database(db.serialize()).prepare('SELECT count(*) FROM big').pluck().get();
      out.held = held.length;
      db.close();
      rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify(out));
    `);
    assert.deepEqual(result, {
      values: Array(20).fill(true),
      columns: [300, 4],
      echo: 'xxxxecho',
      error: ['SQLITE_ERROR', 'no such table: no_such_table_'.length + 200],
      file: ['ok', true],
      image: 20,
      held: 5,
    });
  });
});

describe('guest memory running out while the host lowers an argument', () => {
  it('is SQLITE_NOMEM before anything is written, and the database goes on', () => {
    const result = inChild(`
      import { Database } from './src/node.js';
      ${HOLD}
      const db = new Database(':memory:');
      db.exec('CREATE TABLE t(v); INSERT INTO t VALUES (1), (2)');
      const held = hold(db, 8, 475 << 20); // 3.7 of the 4 GiB a wasm32 memory can have
      const out = {};
      // Within SQLite's length limit, but more than is left: cabi_realloc fails.
      try { db.prepare('SELECT length(?)').get(new Uint8Array(500 << 20)); out.bind = 'ok'; } catch (e) { out.bind = [e.constructor.name, e.code]; }
      try { db.prepare("SELECT '" + 'x'.repeat(500 << 20) + "'"); out.sql = 'ok'; } catch (e) { out.sql = [e.constructor.name, e.code]; }
      out.after = db.prepare('SELECT sum(v) FROM t').pluck().get();
      db.exec('INSERT INTO t VALUES (3)');
      out.held = held.length;
      console.log(JSON.stringify(out));
    `);
    assert.deepEqual(result, {
      bind: ['SqliteError', 'SQLITE_NOMEM'],
      sql: ['SqliteError', 'SQLITE_NOMEM'],
      after: 3,
      held: 8,
    });
  });
});
