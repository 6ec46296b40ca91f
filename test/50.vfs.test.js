// The JS VFS contract, checked once for every VFS: file I/O, naming, deletion, temp files and
// SQLite's five lock levels between connections; then what only node-fs promises (the lock bytes
// native SQLite uses, the fallback lock directory, symlinks, directory syncs, huge offsets,
// native files).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as C from '../src/vfs/constants.js';
import { Vfs, VfsFile, VfsError } from '../src/vfs/base.js';
import { MemoryVfs } from '../src/vfs/memory.js';
import { NodeFsVfs } from '../src/vfs/node-fs.js';
import { nativeLocks, nativeLocksUnavailable, probeLocks, PENDING_BYTE, RESERVED_BYTE, SHARED_FIRST, SHARED_SIZE } from '../src/vfs/file-locks.js';

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
    durable: true,
  },
  {
    name: 'node-fs (fallback locks)',
    vfs: new NodeFsVfs({ locking: 'fallback' }),
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'vfs-test-')),
    cleanup: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
    durable: true,
  },
];

// Calls fn with fs.fsyncSync and fs.fdatasyncSync recorded: [name, fd, path] for each call
// (the path where /proc/self/fd tells it).
function watchSyncs(fn) {
  const calls = [];
  const real = { fsyncSync: fs.fsyncSync, fdatasyncSync: fs.fdatasyncSync };
  const pathOf = (fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return null;
    }
  };
  for (const name of Object.keys(real)) {
    fs[name] = (fd, ...rest) => {
      calls.push([name, fd, pathOf(fd)]);
      return real[name].call(fs, fd, ...rest);
    };
  }
  try {
    fn();
  } finally {
    Object.assign(fs, real);
  }
  return calls;
}

for (const { name, vfs, dir, cleanup, durable } of targets) {
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
        // A real file must reach the disk: fsync, or fdatasync when only the data must.
        const calls = watchSyncs(() => {
          file.sync(C.SQLITE_SYNC_NORMAL);
          file.sync(C.SQLITE_SYNC_FULL | C.SQLITE_SYNC_DATAONLY);
        });
        assert.deepEqual(calls.map(([call]) => call), durable ? ['fsyncSync', 'fdatasyncSync'] : []);
        assert.equal(new Set(calls.map(([, fd]) => fd)).size, durable ? 1 : 0, 'both on the file itself');
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

      it('knows a file by what it is, not by its name: deleted and made again, it is another file', () => {
        const p = fresh();
        const a = open(p);
        a.lock(SHARED), a.lock(RESERVED), a.lock(EXCLUSIVE);
        vfs.delete(p, false);
        const b = open(p);
        assert.equal(b.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), true);
        assert.equal(b.lock(EXCLUSIVE), true);
        closeAll([a, b]);
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
    const cwd = fs.realpathSync(process.cwd());
    assert.equal(vfs.fullPathname('a.db'), path.join(cwd, 'a.db'));
    assert.equal(vfs.fullPathname('x/../b.db'), path.join(cwd, 'b.db'));
  });

  it('resolves symlinks, as native SQLite does, so the journal lands beside the real file', () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    const target = path.join(real, 'target.db');
    fs.writeFileSync(target, '');
    fs.symlinkSync(target, path.join(dir, 'link.db'));
    fs.symlinkSync(real, path.join(dir, 'linkdir'));
    assert.equal(vfs.fullPathname(path.join(dir, 'link.db')), fs.realpathSync(target));
    // A file not made yet is named in its directory's real path.
    assert.equal(vfs.fullPathname(path.join(dir, 'linkdir', 'new.db')), path.join(fs.realpathSync(real), 'new.db'));
    // Nothing to resolve: the name stays as given.
    assert.equal(vfs.fullPathname(path.join(dir, 'nowhere', 'x.db')), path.join(dir, 'nowhere', 'x.db'));
  });

  describe('locks between two names of one file', () => {
    for (const locking of ['native', 'fallback']) {
      it(`${locking}: a symlink and a hard link meet the same lock`, { skip: locking === 'native' && !nativeLocks && 'no native locks here' }, () => {
        const v = new NodeFsVfs({ locking });
        const p = path.join(dir, `named-${locking}.db`);
        fs.writeFileSync(p, '');
        fs.symlinkSync(p, `${p}.sym`);
        fs.linkSync(p, `${p}.hard`);
        const [a, b, c] = [p, `${p}.sym`, `${p}.hard`].map((name) => v.open(name, RWC).file);
        for (const f of [a, b, c]) assert.equal(f.lock(SHARED), true);
        assert.equal(b.lock(RESERVED), true);
        assert.equal(c.lock(RESERVED), false);
        assert.equal(a.checkReservedLock(), true);
        assert.equal(b.lock(EXCLUSIVE), false, 'the other names still read');
        a.unlock(NONE), c.unlock(NONE);
        assert.equal(b.lock(EXCLUSIVE), true);
        assert.equal(c.lock(SHARED), false);
        b.close();
        assert.equal(c.lock(SHARED), true);
        a.close(), c.close();
      });
    }
  });

  describe('the probe of native locks', () => {
    it('finds working locks working, here on Linux', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
      assert.equal(nativeLocksUnavailable, null);
      assert.equal(probeLocks(nativeLocks), null);
    });

    it('finds locks the kernel refuses (EINVAL) or that refuse a new file unavailable, and says why', () => {
      const refused = Object.assign(new Error('EINVAL: invalid argument, fcntl'), { code: 'EINVAL' });
      const unlocked = [];
      assert.equal(probeLocks({ tryLock() { throw refused; }, unlock() {} }), 'locking a file failed: EINVAL: invalid argument, fcntl');
      assert.equal(probeLocks({ tryLock: () => false, unlock: (...a) => unlocked.push(a) }), 'a lock on a new file was refused');
      assert.equal(probeLocks({ tryLock: () => true, unlock: (...a) => unlocked.push(a) }), null);
      assert.equal(unlocked.length, 1);
    });

    it('leaves no probe file behind', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
      probeLocks({ tryLock: () => true, unlock() {} }, dir);
      probeLocks({ tryLock() { throw new Error('no'); }, unlock() {} }, dir);
      assert.deepEqual(fs.readdirSync(dir), []);
      fs.rmSync(dir, { recursive: true });
    });
  });

  describe('native locks', { skip: !nativeLocks && 'no native locks here (Linux and fs-native-extensions)' }, () => {
    // Open-file-description locks exclude other descriptors of this very process too, so a
    // second descriptor can probe which bytes a file holds, as another process would see them.
    const probe = (p) => {
      const fd = fs.openSync(p, 'r+');
      return {
        fd,
        can(offset, length, shared) {
          if (!nativeLocks.tryLock(fd, offset, length, { shared })) return false;
          nativeLocks.unlock(fd, offset, length);
          return true;
        },
        close: () => fs.closeSync(fd),
      };
    };

    it('are on the bytes native SQLite uses, level by level', () => {
      const p = path.join(dir, 'bytes.db');
      const { file } = vfs.open(p, RWC);
      const other = probe(p);
      const sees = () => ({
        read: other.can(SHARED_FIRST, SHARED_SIZE, true),
        write: other.can(SHARED_FIRST, SHARED_SIZE, false),
        pending: other.can(PENDING_BYTE, 1, true),
        reserved: other.can(RESERVED_BYTE, 1, true),
      });
      const free = { read: true, write: true, pending: true, reserved: true };
      assert.deepEqual(sees(), free);
      file.lock(SHARED);
      assert.deepEqual(sees(), { ...free, write: false }, 'SHARED: a read lock on the shared range, PENDING let go');
      file.lock(RESERVED);
      assert.deepEqual(sees(), { ...free, write: false, reserved: false }, 'RESERVED: the reserved byte too');
      file.lock(EXCLUSIVE);
      assert.deepEqual(sees(), { read: false, write: false, pending: false, reserved: false }, 'EXCLUSIVE: all of them');
      file.unlock(SHARED);
      assert.deepEqual(sees(), { ...free, write: false }, 'back to SHARED');
      file.unlock(NONE);
      assert.deepEqual(sees(), free);
      file.close(), other.close();
    });

    it('keep PENDING when readers hold EXCLUSIVE off, turning new readers away', () => {
      const p = path.join(dir, 'pending.db');
      const { file } = vfs.open(p, RWC);
      const reader = probe(p);
      const other = probe(p);
      assert.equal(nativeLocks.tryLock(reader.fd, SHARED_FIRST, SHARED_SIZE, { shared: true }), true);
      file.lock(SHARED), file.lock(RESERVED);
      assert.equal(file.lock(EXCLUSIVE), false);
      assert.equal(file.lockLevel, PENDING);
      assert.equal(other.can(PENDING_BYTE, 1, true), false, 'a new reader is refused at PENDING');
      reader.close();
      assert.equal(file.lock(EXCLUSIVE), true);
      file.close(), other.close();
    });

    it('see a RESERVED held elsewhere through checkReservedLock, and leave no lock behind asking', () => {
      const p = path.join(dir, 'reserved.db');
      const { file } = vfs.open(p, RWC);
      const other = probe(p);
      file.lock(SHARED);
      assert.equal(file.checkReservedLock(), false);
      assert.equal(other.can(RESERVED_BYTE, 1, false), true, 'checking took nothing');
      assert.equal(nativeLocks.tryLock(other.fd, RESERVED_BYTE, 1, { shared: false }), true);
      assert.equal(file.checkReservedLock(), true);
      assert.equal(file.lock(RESERVED), false);
      other.close();
      assert.equal(file.checkReservedLock(), false);
      file.close();
    });

    it('lock only main databases: a journal takes no lock bytes', () => {
      const p = path.join(dir, 'only-main.db-journal');
      const { file } = vfs.open(p, RWC & ~C.SQLITE_OPEN_MAIN_DB | C.SQLITE_OPEN_MAIN_JOURNAL);
      const other = probe(p);
      assert.equal(file.lock(SHARED), true);
      assert.equal(other.can(SHARED_FIRST, SHARED_SIZE, false), true);
      file.close(), other.close();
    });
  });

  describe('fallback locks (a lock directory)', () => {
    const fallback = new NodeFsVfs({ locking: 'fallback' });
    const entries = (p) => (fs.existsSync(`${p}.lock`) ? fs.readdirSync(`${p}.lock`).map((n) => n.split('.')[0]).sort() : null);

    it('keep one entry per role in <db>.lock/, and remove the directory when the last file closes', () => {
      const p = path.join(dir, 'dirlock.db');
      const { file } = fallback.open(p, RWC);
      assert.equal(fallback.locking, 'fallback');
      file.lock(SHARED);
      assert.deepEqual(entries(p), ['shared']);
      file.lock(RESERVED);
      assert.deepEqual(entries(p), ['reserved', 'shared']);
      file.lock(EXCLUSIVE);
      assert.deepEqual(entries(p), ['pending', 'reserved', 'shared']);
      file.unlock(SHARED);
      assert.deepEqual(entries(p), ['shared']);
      file.unlock(NONE);
      assert.deepEqual(entries(p), []);
      file.close();
      assert.equal(entries(p), null);
    });

    // An owner is `<pid>-<threadId>-<start>`; entries name the file by `<dev>-<inode>`.
    const identity = (p) => {
      const st = fs.statSync(p, { bigint: true });
      return `${st.dev}-${st.ino}`;
    };
    const plant = (p, role, owner) => {
      fs.mkdirSync(`${p}.lock`, { recursive: true });
      fs.writeFileSync(path.join(`${p}.lock`, `${role}.${owner}.${identity(p)}`), '');
    };

    it('clear the entries of a dead process', () => {
      const p = path.join(dir, 'stale.db');
      fs.writeFileSync(p, '');
      // A pid that was just in use and is no more.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      for (const role of ['shared', 'reserved', 'pending']) plant(p, role, `${dead}-0-t1`);
      const { file } = fallback.open(p, RWC);
      assert.equal(file.lock(SHARED), true);
      assert.equal(file.lock(RESERVED), true);
      assert.equal(file.lock(EXCLUSIVE), true);
      file.unlock(NONE);
      assert.deepEqual(entries(p), []);
      file.close();
    });

    it('respect the entries of a live process, and of this one before a restart, told apart by start time', () => {
      const p = path.join(dir, 'live.db');
      fs.writeFileSync(p, '');
      const { file } = fallback.open(p, RWC);
      // Our own pid with another start time: a dead process whose pid we now have.
      plant(p, 'reserved', `${process.pid}-0-t1`);
      file.lock(SHARED);
      assert.equal(file.lock(RESERVED), true, "a dead namesake's entry is cleared");
      file.unlock(NONE);
      const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      try {
        const start = fs.existsSync(`/proc/${sleeper.pid}/stat`)
          ? `k${fs.readFileSync(`/proc/${sleeper.pid}/stat`, 'latin1').split(') ')[1].split(' ')[19]}`
          : 't1';
        plant(p, 'pending', `${sleeper.pid}-0-${start}`);
        assert.equal(file.lock(SHARED), false, "a live writer's PENDING turns readers away");
        assert.equal(file.checkReservedLock(), false);
        fs.rmSync(path.join(`${p}.lock`, `pending.${sleeper.pid}-0-${start}.${identity(p)}`));
        plant(p, 'reserved', `${sleeper.pid}-0-${start}`);
        assert.equal(file.lock(SHARED), true);
        assert.equal(file.checkReservedLock(), true);
        assert.equal(file.lock(RESERVED), false);
        if (start !== 't1') {
          // The same pid started at another time is not that process.
          plant(p, 'reserved', `${sleeper.pid}-0-k1`);
          fs.rmSync(path.join(`${p}.lock`, `reserved.${sleeper.pid}-0-${start}.${identity(p)}`));
          assert.equal(file.lock(RESERVED), true);
        }
      } finally {
        sleeper.kill();
        file.close();
      }
    });
  });

  describe('directory sync', () => {
    // The calls to fsync/fdatasync, each named by the file it synced.
    const syncedPaths = (fn) => watchSyncs(fn).map(([call, , name]) => [call, name]);
    const linux = process.platform === 'linux' || 'reads /proc/self/fd';
    const journalFlags = C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE | C.SQLITE_OPEN_MAIN_JOURNAL;

    it("follows a new journal's first sync, once, as in os_unix.c", { skip: linux !== true && linux }, () => {
      const p = path.join(dir, 'dirsync.db-journal');
      const { file } = vfs.open(p, journalFlags);
      file.write(0, bytes('journal'));
      const calls = syncedPaths(() => {
        file.sync(C.SQLITE_SYNC_NORMAL);
        file.sync(C.SQLITE_SYNC_NORMAL);
      });
      assert.deepEqual(calls, [['fsyncSync', p], ['fsyncSync', fs.realpathSync(dir)], ['fsyncSync', p]]);
      file.close();
    });

    it('is not done for a database, or a journal opened without CREATE', { skip: linux !== true && linux }, () => {
      const db = path.join(dir, 'nodirsync.db');
      const journal = path.join(dir, 'nodirsync.db-journal');
      fs.writeFileSync(journal, 'x');
      const a = vfs.open(db, RWC).file;
      const b = vfs.open(journal, C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_MAIN_JOURNAL).file;
      const calls = syncedPaths(() => {
        a.sync(C.SQLITE_SYNC_NORMAL);
        b.sync(C.SQLITE_SYNC_NORMAL);
      });
      assert.deepEqual(calls, [['fsyncSync', db], ['fsyncSync', journal]]);
      a.close(), b.close();
    });

    it('fails with IOERR_DIR_FSYNC when the directory cannot be synced, and lets a file system that cannot sync directories go', () => {
      const realFsync = fs.fsyncSync;
      for (const [code, expected] of [['EIO', C.SQLITE_IOERR_DIR_FSYNC], ['EINVAL', null]]) {
        const p = path.join(dir, `dirsync-${code}.db-journal`);
        const { file } = vfs.open(p, journalFlags);
        let calls = 0;
        fs.fsyncSync = (fd) => {
          if (++calls === 1) return realFsync(fd); // the journal itself
          throw Object.assign(new Error(`${code}: simulated`), { code });
        };
        try {
          if (expected) assert.throws(() => file.sync(C.SQLITE_SYNC_NORMAL), vfsError(expected));
          else file.sync(C.SQLITE_SYNC_NORMAL);
        } finally {
          fs.fsyncSync = realFsync;
        }
        assert.equal(calls, 2);
        file.close();
      }
    });
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

  it('reads and writes beyond 4 GiB (sparse file)', () => {
    const p = path.join(dir, 'huge.db');
    const { file } = vfs.open(p, RWC);
    const offset = 5 * 2 ** 30 + 7;
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

  it('VfsFile with a null lock is never locked out: SQLite locks main databases only', () => {
    const a = new VfsFile(null);
    const b = new VfsFile(null);
    assert.equal(a.lock(SHARED), true);
    assert.equal(a.lock(EXCLUSIVE), true);
    assert.equal(b.lock(EXCLUSIVE), true);
    assert.equal(a.lockLevel, EXCLUSIVE);
    a.unlock(NONE);
    assert.equal(a.lockLevel, NONE);
    assert.throws(() => new VfsFile({}), TypeError);
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
