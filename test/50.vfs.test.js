// The JS VFS contract, checked once for every VFS: file I/O, naming, deletion, temp files and
// the in-process lock table; then what only node-fs promises (huge offsets, native files).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as C from '../src/vfs/constants.js';
import { Vfs, VfsFile, VfsError } from '../src/vfs/base.js';
import { MemoryVfs } from '../src/vfs/memory.js';
import { NodeFsVfs } from '../src/vfs/node-fs.js';

const RWC = C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE | C.SQLITE_OPEN_MAIN_DB;
const RW = C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_MAIN_DB;
const TEMP = RWC | C.SQLITE_OPEN_DELETEONCLOSE | C.SQLITE_OPEN_EXCLUSIVE | C.SQLITE_OPEN_TEMP_JOURNAL;
const { SQLITE_LOCK_NONE: NONE, SQLITE_LOCK_SHARED: SHARED, SQLITE_LOCK_RESERVED: RESERVED } = C;
const { SQLITE_LOCK_PENDING: PENDING, SQLITE_LOCK_EXCLUSIVE: EXCLUSIVE } = C;

const bytes = (text) => new Uint8Array(Buffer.from(text));
const zeros = (n) => new Uint8Array(n);
// Compares contents only: node-fs hands back Buffers, memory plain Uint8Arrays.
const same = (actual, expected) => assert.deepEqual(Uint8Array.from(actual), Uint8Array.from(expected));
const vfsError = (code) => (err) => {
  assert.ok(err instanceof VfsError, `expected a VfsError, got ${err}`);
  assert.equal(err.code, code);
  return true;
};

// Each VFS gets its own directory (a name prefix for memory), removed when its suite ends.
const targets = [
  {
    name: 'memory',
    vfs: new MemoryVfs(),
    dir: `/vfs-test-${process.pid}`,
    cleanup(dir) {
      for (const name of [...MemoryVfs.files.keys()]) if (name.startsWith(dir)) MemoryVfs.files.delete(name);
    },
  },
  {
    name: 'node-fs',
    vfs: new NodeFsVfs(),
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'vfs-test-')),
    cleanup: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
  },
];

for (const { name, vfs, dir, cleanup } of targets) {
  describe(`${name} VFS`, () => {
    after(() => cleanup(dir));
    let count = 0;
    const fresh = () => `${dir}/f${++count}.db`;
    const open = (p, flags = RWC) => vfs.open(p, flags).file;
    const withData = (p, data) => {
      const file = open(p);
      file.write(0, data);
      return file;
    };

    describe('open', () => {
      it('creates a missing file with CREATE', () => {
        const p = fresh();
        const { file, flags } = vfs.open(p, RWC);
        assert.equal(flags, RWC);
        assert.equal(file.size(), 0);
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), true);
        file.close();
      });

      it('refuses a missing file without CREATE, and creates nothing', () => {
        const p = fresh();
        assert.throws(() => vfs.open(p, RW), vfsError(C.SQLITE_CANTOPEN));
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), false);
      });

      it('refuses EXCLUSIVE|CREATE on an existing file', () => {
        const p = fresh();
        open(p).close();
        assert.throws(() => vfs.open(p, RWC | C.SQLITE_OPEN_EXCLUSIVE), vfsError(C.SQLITE_CANTOPEN));
      });

      it('opens an existing file with its contents, shared with other opens', () => {
        const p = fresh();
        const a = withData(p, bytes('kept'));
        const b = open(p, RW);
        const c = open(p, RWC);
        same(b.read(0, 4), bytes('kept'));
        same(c.read(0, 4), bytes('kept'));
        b.write(0, bytes('K'));
        same(a.read(0, 4), bytes('Kept'));
        a.close(), b.close(), c.close();
      });

      it('honours READONLY: reads work, writes fail', () => {
        const p = fresh();
        withData(p, bytes('frozen')).close();
        const { file, flags } = vfs.open(p, C.SQLITE_OPEN_READONLY | C.SQLITE_OPEN_MAIN_DB);
        assert.equal(flags & C.SQLITE_OPEN_READONLY, C.SQLITE_OPEN_READONLY);
        same(file.read(0, 6), bytes('frozen'));
        assert.throws(() => file.write(0, bytes('x')), vfsError(C.SQLITE_IOERR_WRITE));
        file.close();
      });

      it('names a temp file itself when path is null', () => {
        const a = open(null, TEMP);
        const b = open(null, TEMP);
        assert.equal(typeof a.path, 'string');
        assert.notEqual(a.path, b.path);
        assert.equal(vfs.access(a.path, C.SQLITE_ACCESS_EXISTS), true);
        a.write(0, bytes('a'));
        b.write(0, bytes('bb'));
        assert.equal(a.size(), 1);
        assert.equal(b.size(), 2);
        a.close(), b.close();
      });
    });

    describe('read', () => {
      it('returns what write stored', () => {
        const file = open(fresh());
        const page = Uint8Array.from({ length: 4096 }, (_, i) => i * 7);
        file.write(0, page);
        file.write(4096, page.slice().reverse());
        same(file.read(0, 4096), page);
        same(file.read(4096, 4096), page.slice().reverse());
        file.close();
      });

      it('returns fewer bytes at end of file', () => {
        const file = withData(fresh(), bytes('0123456789'));
        const got = file.read(4, 10);
        assert.equal(got.length, 6);
        same(got, bytes('456789'));
        file.close();
      });

      it('returns nothing past end of file', () => {
        const file = withData(fresh(), bytes('0123456789'));
        assert.equal(file.read(10, 5).length, 0);
        assert.equal(file.read(1 << 20, 5).length, 0);
        file.close();
      });

      it('reads zeros from the gap a write past the end leaves', () => {
        const file = open(fresh());
        file.write(100, bytes('hello'));
        assert.equal(file.size(), 105);
        same(file.read(0, 105), [...zeros(100), ...bytes('hello')]);
        file.close();
      });
    });

    describe('write', () => {
      it('overwrites in place without disturbing neighbours', () => {
        const file = withData(fresh(), bytes('aaaaaaaaaa'));
        file.write(3, bytes('XYZ'));
        same(file.read(0, 10), bytes('aaaXYZaaaa'));
        assert.equal(file.size(), 10);
        file.close();
      });

      it('grows a file a page at a time', () => {
        const file = open(fresh());
        for (let i = 0; i < 64; i++) file.write(i * 1024, new Uint8Array(1024).fill(i));
        assert.equal(file.size(), 64 * 1024);
        const all = file.read(0, 64 * 1024);
        for (let i = 0; i < 64; i++) assert.equal(all[i * 1024 + 1023], i);
        file.close();
      });

      it("copies the data, so later changes to the caller's buffer do not leak in", () => {
        const file = open(fresh());
        const data = bytes('before');
        file.write(0, data);
        data.fill(0);
        same(file.read(0, 6), bytes('before'));
        file.close();
      });
    });

    describe('truncate', () => {
      it('shrinks, and regrowing the file reads zeros, not old bytes', () => {
        const file = withData(fresh(), new Uint8Array(100).fill(0xaa));
        file.truncate(10);
        assert.equal(file.size(), 10);
        assert.equal(file.read(0, 100).length, 10);
        file.write(50, bytes('z'));
        same(file.read(10, 40), zeros(40));
        file.truncate(0);
        file.truncate(20);
        same(file.read(0, 20), zeros(20));
        file.close();
      });

      it('extends with zeros', () => {
        const file = withData(fresh(), bytes('abc'));
        file.truncate(1000);
        assert.equal(file.size(), 1000);
        same(file.read(0, 1000), [...bytes('abc'), ...zeros(997)]);
        file.close();
      });
    });

    describe('size', () => {
      it('is the same through every open of the path', () => {
        const p = fresh();
        const a = open(p);
        const b = open(p);
        a.write(0, zeros(8192));
        assert.equal(b.size(), 8192);
        b.truncate(4096);
        assert.equal(a.size(), 4096);
        a.close(), b.close();
      });
    });

    describe('sync', () => {
      it('keeps the data for the next open', () => {
        const p = fresh();
        const file = withData(p, bytes('durable'));
        file.sync(C.SQLITE_SYNC_NORMAL);
        file.sync(C.SQLITE_SYNC_FULL | C.SQLITE_SYNC_DATAONLY);
        file.close();
        const again = open(p, RW);
        same(again.read(0, 7), bytes('durable'));
        again.close();
      });
    });

    describe('close', () => {
      it('keeps an ordinary file', () => {
        const p = fresh();
        withData(p, bytes('stay')).close();
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), true);
      });

      it('deletes a temp file', () => {
        const file = open(null, TEMP);
        file.write(0, bytes('scratch'));
        const p = file.path;
        file.close();
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), false);
      });

      it('deletes a named DELETEONCLOSE file', () => {
        const p = fresh();
        const file = open(p, RWC | C.SQLITE_OPEN_DELETEONCLOSE);
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), true);
        file.close();
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), false);
      });
    });

    describe('delete', () => {
      it('removes a file', () => {
        const p = fresh();
        open(p).close();
        vfs.delete(p, false);
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), false);
        assert.throws(() => vfs.open(p, RW), vfsError(C.SQLITE_CANTOPEN));
      });

      it('removes a file durably when asked to sync the directory', () => {
        const p = fresh();
        open(p).close();
        vfs.delete(p, true);
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), false);
      });

      it('reports a missing file as IOERR_DELETE_NOENT', () => {
        assert.throws(() => vfs.delete(fresh(), false), vfsError(C.SQLITE_IOERR_DELETE_NOENT));
      });
    });

    describe('access', () => {
      it('answers every flag for an existing file and a missing one', () => {
        const p = fresh();
        open(p).close();
        for (const flag of [C.SQLITE_ACCESS_EXISTS, C.SQLITE_ACCESS_READWRITE, C.SQLITE_ACCESS_READ]) {
          assert.equal(vfs.access(p, flag), true);
          assert.equal(vfs.access(fresh(), flag), false);
        }
      });
    });

    describe('fullPathname', () => {
      it('is a fixed point, and names the file open and access know', () => {
        const p = fresh();
        const full = vfs.fullPathname(p);
        assert.equal(typeof full, 'string');
        assert.equal(vfs.fullPathname(full), full);
        open(full).close();
        assert.equal(vfs.access(p, C.SQLITE_ACCESS_EXISTS), true);
      });
    });

    describe('lock', () => {
      // Two opens of one path stand for two connections: each has its own wasm instance.
      const pair = (n = 2) => {
        const p = fresh();
        return Array.from({ length: n }, () => open(p));
      };
      const closeAll = (files) => files.forEach((f) => f.close());

      it('lets many connections hold SHARED', () => {
        const files = pair(3);
        for (const f of files) assert.equal(f.lock(SHARED), true);
        for (const f of files) assert.equal(f.lockLevel, SHARED);
        closeAll(files);
      });

      it('allows one RESERVED, alongside readers', () => {
        const [a, b, c] = pair(3);
        a.lock(SHARED), b.lock(SHARED);
        assert.equal(a.lock(RESERVED), true);
        assert.equal(c.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), false);
        assert.equal(b.lockLevel, SHARED);
        closeAll([a, b, c]);
      });

      it('reports RESERVED or above through checkReservedLock', () => {
        const [a, b] = pair();
        a.lock(SHARED), b.lock(SHARED);
        assert.equal(b.checkReservedLock(), false);
        a.lock(RESERVED);
        assert.equal(b.checkReservedLock(), true);
        assert.equal(a.checkReservedLock(), true);
        a.unlock(SHARED);
        assert.equal(b.checkReservedLock(), false);
        closeAll([a, b]);
      });

      it('refuses EXCLUSIVE while another holds SHARED, keeping PENDING', () => {
        const [a, b, c] = pair(3);
        a.lock(SHARED), b.lock(SHARED);
        a.lock(RESERVED);
        assert.equal(a.lock(EXCLUSIVE), false);
        assert.equal(a.lockLevel, PENDING);
        assert.equal(c.lock(SHARED), false, 'PENDING must turn new readers away');
        assert.equal(c.lockLevel, NONE);
        b.unlock(NONE);
        assert.equal(a.lock(EXCLUSIVE), true);
        assert.equal(a.lockLevel, EXCLUSIVE);
        assert.equal(b.lock(SHARED), false);
        closeAll([a, b, c]);
      });

      it('releases on unlock, level by level', () => {
        const [a, b] = pair();
        a.lock(SHARED), a.lock(RESERVED), a.lock(EXCLUSIVE);
        assert.equal(b.lock(SHARED), false);
        a.unlock(SHARED);
        assert.equal(a.lockLevel, SHARED);
        assert.equal(b.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), true);
        assert.equal(b.lock(EXCLUSIVE), false);
        a.unlock(NONE);
        assert.equal(b.lock(EXCLUSIVE), true);
        closeAll([a, b]);
      });

      it('releases on close', () => {
        const [a, b] = pair();
        a.lock(SHARED), a.lock(RESERVED), a.lock(EXCLUSIVE);
        a.close();
        assert.equal(b.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), true);
        assert.equal(b.lock(EXCLUSIVE), true);
        b.close();
      });

      it('keeps different paths apart', () => {
        const [a] = pair(1);
        const [b] = pair(1);
        a.lock(SHARED), a.lock(RESERVED), a.lock(EXCLUSIVE);
        assert.equal(b.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), true);
        assert.equal(b.lock(EXCLUSIVE), true);
        closeAll([a, b]);
      });
    });
  });
}

describe('node-fs VFS only', () => {
  const vfs = new NodeFsVfs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfs-test-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts temp files in os.tmpdir()', () => {
    const { file } = vfs.open(null, TEMP);
    assert.equal(path.dirname(file.path), path.resolve(os.tmpdir()));
    assert.equal(fs.existsSync(file.path), true);
    file.close();
    assert.equal(fs.existsSync(file.path), false);
  });

  it('resolves relative paths against the working directory', () => {
    assert.equal(vfs.fullPathname('a.db'), path.join(process.cwd(), 'a.db'));
    assert.equal(vfs.fullPathname('x/../b.db'), path.join(process.cwd(), 'b.db'));
  });

  it('refuses to open a directory', () => {
    for (const flags of [RW, C.SQLITE_OPEN_READONLY]) {
      assert.throws(() => vfs.open(dir, flags), vfsError(C.SQLITE_CANTOPEN_ISDIR));
    }
  });

  it('falls back to read-only when the file is not writable', { skip: process.getuid?.() === 0 && 'root can write anything' }, () => {
    const p = path.join(dir, 'locked.db');
    fs.writeFileSync(p, 'ro');
    fs.chmodSync(p, 0o444);
    const { file, flags } = vfs.open(p, RWC);
    assert.equal(flags & C.SQLITE_OPEN_READONLY, C.SQLITE_OPEN_READONLY);
    assert.equal(flags & (C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE), 0);
    same(file.read(0, 2), bytes('ro'));
    file.close();
  });

  it('reads and writes beyond 3 GiB (sparse file)', () => {
    const p = path.join(dir, 'huge.db');
    const { file } = vfs.open(p, RWC);
    const offset = 3 * 2 ** 30 + 7;
    try {
      file.write(offset, bytes('far away'));
      assert.equal(file.size(), offset + 8);
      assert.equal(fs.statSync(p).size, offset + 8);
      same(file.read(offset - 4, 16), [...zeros(4), ...bytes('far away')]);
      file.truncate(offset + 3);
      same(file.read(offset, 8), bytes('far'));
    } finally {
      file.close();
      vfs.delete(p, false);
    }
    assert.equal(fs.existsSync(p), false);
  });

  it('leaves bytes a native SQLite reads as a sound database', async (t) => {
    let Database;
    try {
      Database = createRequire(import.meta.url)('better-sqlite3');
    } catch {
      return t.skip('better-sqlite3 is not installed');
    }
    const original = path.join(dir, 'native.db');
    const native = new Database(original);
    native.exec(`CREATE TABLE t(x);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
      INSERT INTO t SELECT randomblob(300) FROM n;`);
    native.close();

    // Copy it page by page through the VFS, last page first, so every write but the first lands
    // in a gap.
    const copy = path.join(dir, 'copy.db');
    const from = vfs.open(original, C.SQLITE_OPEN_READONLY | C.SQLITE_OPEN_MAIN_DB).file;
    const to = vfs.open(copy, RWC).file;
    const pages = from.size() / 4096;
    for (let i = pages - 1; i >= 0; i--) to.write(i * 4096, from.read(i * 4096, 4096));
    to.sync(C.SQLITE_SYNC_FULL);
    from.close(), to.close();

    assert.equal(Buffer.compare(fs.readFileSync(copy), fs.readFileSync(original)), 0);
    const check = new Database(copy, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(check.prepare('SELECT count(*) FROM t').pluck().get(), 500);
    check.close();
  });
});

describe('base classes', () => {
  it('Vfs defaults refuse to open or delete, and find nothing', () => {
    const vfs = new Vfs();
    assert.throws(() => vfs.open('x', RWC), vfsError(C.SQLITE_CANTOPEN));
    assert.throws(() => vfs.delete('x', false), vfsError(C.SQLITE_IOERR_DELETE));
    assert.equal(vfs.access('x', C.SQLITE_ACCESS_EXISTS), false);
    assert.equal(vfs.fullPathname('x'), 'x');
  });

  it('VfsFile defaults fail I/O with its own code and lock in-process', () => {
    const a = new VfsFile('base:x');
    const b = new VfsFile('base:x');
    assert.throws(() => a.read(0, 1), vfsError(C.SQLITE_IOERR_READ));
    assert.throws(() => a.write(0, bytes('x')), vfsError(C.SQLITE_IOERR_WRITE));
    assert.throws(() => a.truncate(0), vfsError(C.SQLITE_IOERR_TRUNCATE));
    assert.throws(() => a.size(), vfsError(C.SQLITE_IOERR_FSTAT));
    assert.equal(a.sync(C.SQLITE_SYNC_NORMAL), undefined);
    assert.equal(a.sectorSize(), 4096);
    assert.equal(a.deviceCharacteristics(), 0);
    a.lock(SHARED), a.lock(RESERVED);
    assert.equal(b.checkReservedLock(), true);
    a.close();
    assert.equal(b.checkReservedLock(), false);
    assert.throws(() => new VfsFile(), TypeError);
  });

  it('VfsError is an Error carrying a numeric code', () => {
    const err = new VfsError(C.SQLITE_IOERR_READ, 'boom', { cause: 'why' });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'VfsError');
    assert.equal(err.code, 266);
    assert.equal(err.cause, 'why');
  });
});

describe('constants', () => {
  const header = new URL('../node_modules/better-sqlite3/deps/sqlite3/sqlite3.h', import.meta.url);

  it('match sqlite3.h', { skip: !fs.existsSync(header) && 'sqlite3.h is not installed' }, () => {
    const defines = new Map();
    for (const [, key, value] of fs.readFileSync(header, 'utf8').matchAll(/^#define (SQLITE_\w+)\s+(\S[^/\n]*)/gm)) {
      defines.set(key, value.trim());
    }
    // Extended codes are written `(SQLITE_IOERR | (1<<8))`: substitute the names, then evaluate.
    const evaluate = (expr) =>
      Function(`return ${expr.replace(/SQLITE_\w+/g, (name) => evaluate(defines.get(name)))}`)();
    for (const [key, value] of Object.entries(C)) {
      assert.ok(defines.has(key), `${key} is not in sqlite3.h`);
      assert.equal(value, evaluate(defines.get(key)), key);
    }
  });
});
