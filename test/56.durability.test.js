// Durability on node-fs, as SQLite's rollback journal needs it (https://www.sqlite.org/atomiccommit.html):
// the order of syncs in a commit at each `synchronous` level, including the directory syncs
// os_unix.c does; every journal mode writing a file native SQLite finds sound; a hot journal left
// by a killed writer rolled back by the next opener; and a database past 4 GiB.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/node.js';
import { nativeLocks } from '../src/vfs/file-locks.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const CRASHER = fileURLToPath(new URL('./support/crash-mid-transaction.js', import.meta.url));

let dir;
before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), 'sqlite-component-56d-')));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const integrity = (file) => {
  const native = new NativeDatabase(file, { readonly: true });
  try {
    return native.pragma('integrity_check', { simple: true });
  } finally {
    native.close();
  }
};

// Runs fn with every fsync, fdatasync and unlink recorded by what it touched: 'db', 'journal',
// 'dir' (the database's directory), or the path itself. /proc/self/fd names a synced descriptor.
function recordDisk(file, fn) {
  const names = { [file]: 'db', [`${file}-journal`]: 'journal', [dir]: 'dir' };
  const name = (p) => names[p] ?? p;
  const events = [];
  const real = { fsyncSync: fs.fsyncSync, fdatasyncSync: fs.fdatasyncSync, unlinkSync: fs.unlinkSync };
  fs.fsyncSync = (fd) => {
    events.push(`fsync ${name(fs.readlinkSync(`/proc/self/fd/${fd}`))}`);
    return real.fsyncSync(fd);
  };
  fs.fdatasyncSync = (fd) => {
    events.push(`fdatasync ${name(fs.readlinkSync(`/proc/self/fd/${fd}`))}`);
    return real.fdatasyncSync(fd);
  };
  fs.unlinkSync = (p) => {
    events.push(`unlink ${name(p)}`);
    return real.unlinkSync(p);
  };
  try {
    fn();
  } finally {
    Object.assign(fs, real);
  }
  return events;
}

describe('syncs of one commit, journal_mode=DELETE', { skip: process.platform !== 'linux' && 'reads /proc/self/fd' }, () => {
  // What SQLite's pager asks for at each level (pragma synchronous; atomiccommit.html 3.7–3.11),
  // and os_unix.c's directory sync after a new journal's first sync, which node-fs now does too.
  const expected = {
    OFF: ['unlink journal'],
    NORMAL: ['fsync journal', 'fsync dir', 'fsync db', 'unlink journal'],
    FULL: ['fsync journal', 'fsync dir', 'fsync journal', 'fsync db', 'unlink journal'],
    // EXTRA also makes the journal's deletion durable before the commit returns.
    EXTRA: ['fsync journal', 'fsync dir', 'fsync journal', 'fsync db', 'unlink journal', 'fsync dir'],
  };
  for (const [level, events] of Object.entries(expected)) {
    it(`synchronous=${level}: ${events.join(', ')}`, () => {
      const file = join(dir, `sync-${level}.db`);
      const db = new Database(file);
      db.exec(`PRAGMA journal_mode = DELETE; PRAGMA synchronous = ${level}; CREATE TABLE t(x)`);
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      assert.deepEqual(recordDisk(file, () => insert.run(1)), events);
      db.close();
      assert.equal(integrity(file), 'ok');
    });
  }
});

describe('journal modes on node-fs', () => {
  // What each mode leaves beside the database after a commit.
  const leftover = {
    DELETE: (j) => assert.equal(fs.existsSync(j), false),
    TRUNCATE: (j) => assert.equal(fs.statSync(j).size, 0),
    // PERSIST keeps the journal and zeroes its header, which no longer reads as hot.
    PERSIST: (j) => assert.deepEqual(fs.readFileSync(j).subarray(0, 28), Buffer.alloc(28)),
    MEMORY: (j) => assert.equal(fs.existsSync(j), false),
    OFF: (j) => assert.equal(fs.existsSync(j), false),
  };
  for (const [mode, check] of Object.entries(leftover)) {
    it(`${mode}: commits, rolls back${mode === 'OFF' ? ' (not: OFF has no journal)' : ''}, and leaves a sound file`, () => {
      const file = join(dir, `mode-${mode}.db`);
      const db = new Database(file);
      // Defensive mode (on by default, as in better-sqlite3) refuses OFF; unsafe mode allows it.
      if (mode === 'OFF') {
        assert.equal(db.pragma('journal_mode = OFF', { simple: true }), 'delete');
        db.unsafeMode();
      }
      assert.equal(db.pragma(`journal_mode = ${mode}`, { simple: true }), mode.toLowerCase());
      db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT)');
      const insert = db.prepare('INSERT INTO t(body) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(10));
      })();
      db.exec('UPDATE t SET body = upper(body) WHERE id % 2 = 0');
      if (mode !== 'OFF') {
        db.exec('BEGIN; DELETE FROM t WHERE id > 100; ROLLBACK');
        assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 2000);
      }
      check(`${file}-journal`);
      db.close();

      assert.equal(integrity(file), 'ok');
      const native = new NativeDatabase(file, { readonly: true });
      assert.equal(native.prepare('SELECT count(*) FROM t').pluck().get(), 2000);
      assert.equal(native.prepare('SELECT body FROM t WHERE id = 2').pluck().get(), 'ROW 1 '.repeat(10));
      native.close();
      const again = new Database(file, { readonly: true });
      assert.equal(again.prepare("SELECT count(*) FROM t WHERE body GLOB 'ROW*'").pluck().get(), 1000);
      again.close();
    });
  }
});

describe('a hot journal left by a killed writer', () => {
  for (const locking of ['native', 'fallback']) {
    it(`${locking} locks: is rolled back by the next opener`, { skip: locking === 'native' && !nativeLocks && 'no native locks here' }, async () => {
      const file = join(dir, `hot-${locking}.db`);
      const db = new Database(file);
      db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER)');
      const insert = db.prepare('INSERT INTO t(body, n) VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 3000; i++) insert.run(`body ${i} `.repeat(8), i);
      })();
      const sum = () => db.prepare('SELECT sum(n), sum(length(body)), count(*) FROM t').raw().get();
      const before = sum();
      const image = fs.readFileSync(file);
      db.close();

      const child = spawn(process.execPath, [CRASHER, file, locking], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => String(d).includes('written') && resolve());
        child.on('exit', (code) => reject(new Error(`the writer exited with ${code} before writing`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve() : child.on('exit', resolve)));

      // The killed writer had changed the database file itself: only the journal can undo that.
      assert.notEqual(Buffer.compare(fs.readFileSync(file), image), 0, 'pages were written before the commit');
      assert.ok(fs.statSync(`${file}-journal`).size > 0, 'the journal is there');

      const next = new Database(file);
      assert.deepEqual(next.prepare('SELECT sum(n), sum(length(body)), count(*) FROM t').raw().get(), before);
      next.close();
      assert.equal(fs.existsSync(`${file}-journal`), false, 'rolled back, the journal is gone');
      assert.equal(Buffer.compare(fs.readFileSync(file), image), 0, 'the file is as it was');
      assert.equal(integrity(file), 'ok');
    });
  }
});

describe('a database past 4 GiB', () => {
  // Sparse: a database of 90,000 pages of 64 KiB (5.5 GiB) whose pages past the first two are
  // all free. SQLite allocates from the first freelist trunk, which here lists only pages beyond
  // 4 GiB, so the rows written next go there, through 64-bit offsets end to end.
  const PAGE = 65536;
  const PAGES = 90_000;
  const PENDING_PAGE = 0x40000000 / PAGE + 1; // the lock-byte page is never used, never free
  const FIRST_PAST_4GIB = 2 ** 32 / PAGE + 1;

  it('writes and reads rows in pages beyond 4 GiB, and native SQLite finds the file sound', () => {
    const file = join(dir, 'huge.db');
    const db = new Database(file);
    db.exec(`PRAGMA page_size = ${PAGE}; PRAGMA auto_vacuum = NONE; CREATE TABLE t(id INTEGER PRIMARY KEY, data BLOB)`);
    db.close();
    assert.equal(fs.statSync(file).size, 2 * PAGE);

    // Free pages, highest first, chained into trunks of (trunk, up to usable/4 - 2 leaves).
    const free = [];
    for (let p = PAGES; p >= 3; p--) if (p !== PENDING_PAGE) free.push(p);
    const perTrunk = PAGE / 4 - 2;
    const trunks = [];
    for (let i = 0; i < free.length; i += perTrunk + 1) trunks.push(free.slice(i, i + perTrunk + 1));
    const fd = fs.openSync(file, 'r+');
    fs.ftruncateSync(fd, PAGES * PAGE);
    trunks.forEach(([trunk, ...leaves], i) => {
      const page = Buffer.alloc(PAGE);
      page.writeUInt32BE(trunks[i + 1]?.[0] ?? 0, 0);
      page.writeUInt32BE(leaves.length, 4);
      leaves.forEach((leaf, j) => page.writeUInt32BE(leaf, 8 + 4 * j));
      fs.writeSync(fd, page, 0, PAGE, (trunk - 1) * PAGE);
    });
    const header = Buffer.alloc(12);
    header.writeUInt32BE(PAGES, 0); // database size in pages
    header.writeUInt32BE(trunks[0][0], 4); // first freelist trunk
    header.writeUInt32BE(free.length, 8); // free pages
    fs.writeSync(fd, header, 0, 12, 28);
    fs.closeSync(fd);
    const firstLeaves = new Set(trunks[0].slice(1));
    assert.ok(Math.min(...firstLeaves) >= FIRST_PAST_4GIB);

    const ours = new Database(file);
    assert.equal(ours.pragma('freelist_count', { simple: true }), free.length);
    const insert = ours.prepare('INSERT INTO t(data) VALUES (?)');
    const blob = (i) => Buffer.alloc(200_000, i + 1);
    ours.transaction(() => {
      for (let i = 0; i < 8; i++) insert.run(blob(i));
    })();
    ours.close();

    // The pages SQLite took are leaves the first trunk no longer lists: all past 4 GiB, and
    // holding the rows' bytes.
    const trunk = Buffer.alloc(PAGE);
    const fd2 = fs.openSync(file, 'r');
    fs.readSync(fd2, trunk, 0, PAGE, (trunks[0][0] - 1) * PAGE);
    const left = new Set(Array.from({ length: trunk.readUInt32BE(4) }, (_, j) => trunk.readUInt32BE(8 + 4 * j)));
    const taken = [...firstLeaves].filter((p) => !left.has(p));
    assert.ok(taken.length >= 8 * 3, `${taken.length} pages taken`);
    const sample = Buffer.alloc(16);
    fs.readSync(fd2, sample, 0, 16, (Math.min(...taken) - 1) * PAGE + 1000);
    fs.closeSync(fd2);
    assert.ok(sample.some((b) => b !== 0), 'data landed past 4 GiB');
    assert.ok((Math.min(...taken) - 1) * PAGE >= 2 ** 32);

    assert.equal(integrity(file), 'ok');
    const native = new NativeDatabase(file, { readonly: true });
    const rows = native.prepare('SELECT id, data FROM t ORDER BY id').all();
    assert.equal(rows.length, 8);
    rows.forEach(({ data }, i) => assert.equal(Buffer.compare(data, blob(i)), 0));
    native.close();
    const again = new Database(file, { readonly: true });
    assert.equal(again.prepare('SELECT sum(length(data)) FROM t').pluck().get(), 8 * 200_000);
    assert.equal(again.prepare('SELECT data FROM t WHERE id = 8').pluck().get()[199_999], 8);
    again.close();
    fs.rmSync(file);
  });
});
