// A VFS wrapper that fails one chosen call: the Nth call of one method, counted from arm(),
// fails in one chosen way. Everything else passes through to the wrapped VFS (memory or
// node-fs), built on the pass-through of test/support/power-loss-vfs.js.
//
// Ways to fail (`kind`):
//   ioerr      throws a VfsError with an IOERR code fitting the method (or plain SQLITE_IOERR;
//              CANTOPEN for open and full-pathname). Never IOERR_SHORT_READ: by the contract
//              (wit/sqlite.wit, `read`) that says the file ends there, and SQLite rightly takes
//              the missing bytes as zeros — a VFS that says so mid-file is lying, not failing.
//   full       throws a VfsError with SQLITE_FULL
//   busy       a lock that is not granted (lock, shm-lock only)
//   throw      throws something that is no VfsError: an Error, a string, undefined, an object
//              whose `code` getter throws …
//   malformed  returns a value of the wrong shape (bytes that are not bytes, a negative or
//              fractional size, an open result without a file, a path that is no string);
//              where only truthiness is read (locks, access, shm-map) a value of the wrong type
//              with the right truth; where nothing is returned, the call is done and junk returned
// A failing call does not do its work (a write that fails writes nothing), except close and
// the junk returns of `malformed`: close lets go of the file first, since SQLite never closes
// a file twice and a leaked descriptor would hold its locks for the rest of the process.

import { PassThroughVfs, PassThroughFile } from '../support/power-loss-vfs.js';
import { VfsError } from '../../src/node.js';
import * as C from '../../src/vfs/constants.js';

// Every method a fault can hit, with the IOERR codes its `ioerr` faults use in turn.
export const METHODS = {
  open: [C.SQLITE_CANTOPEN, C.SQLITE_IOERR],
  delete: [C.SQLITE_IOERR_DELETE, C.SQLITE_IOERR],
  access: [C.SQLITE_IOERR_ACCESS, C.SQLITE_IOERR],
  fullPathname: [C.SQLITE_CANTOPEN, C.SQLITE_IOERR],
  read: [C.SQLITE_IOERR_READ, C.SQLITE_IOERR],
  write: [C.SQLITE_IOERR_WRITE, C.SQLITE_IOERR],
  truncate: [C.SQLITE_IOERR_TRUNCATE, C.SQLITE_IOERR],
  sync: [C.SQLITE_IOERR_FSYNC, C.SQLITE_IOERR],
  size: [C.SQLITE_IOERR_FSTAT, C.SQLITE_IOERR],
  lock: [C.SQLITE_IOERR_LOCK, C.SQLITE_IOERR],
  unlock: [C.SQLITE_IOERR_UNLOCK, C.SQLITE_IOERR],
  checkReservedLock: [C.SQLITE_IOERR_CHECKRESERVEDLOCK, C.SQLITE_IOERR],
  close: [C.SQLITE_IOERR_CLOSE, C.SQLITE_IOERR],
  shmMap: [C.SQLITE_IOERR_SHMMAP, C.SQLITE_IOERR_SHMSIZE],
  shmRead: [C.SQLITE_IOERR_SHMMAP, C.SQLITE_IOERR],
  shmWrite: [C.SQLITE_IOERR_SHMMAP, C.SQLITE_IOERR],
  shmLock: [C.SQLITE_IOERR_SHMLOCK, C.SQLITE_IOERR],
  shmUnmap: [C.SQLITE_IOERR_SHMMAP, C.SQLITE_IOERR],
};

/** The kinds of fault that apply to `method`. */
export function kindsFor(method) {
  const kinds = ['ioerr', 'full', 'throw', 'malformed'];
  if (method === 'lock' || method === 'shmLock') kinds.splice(2, 0, 'busy');
  return kinds;
}

// What `throw` faults throw, in turn: none of them a VfsError.
function plainException(variant) {
  switch (variant % 6) {
    case 0: return new Error('injected: a plain exception');
    case 1: return new TypeError('injected: a TypeError');
    case 2: return 'injected: a string';
    case 3: return undefined;
    case 4: return { code: 'EIO', message: 'injected: an object with a string code' };
    default:
      return Object.create(null, { code: { get() { throw new Error('injected: a code getter that throws'); } } });
  }
}

// Values that are not bytes (read, shmRead), not sizes, not paths, not open results.
const NOT_BYTES = [null, 'bytes', 12345, [1, 2, 3], { length: 4 }, new ArrayBuffer(16), undefined];
const NOT_SIZES = [-1, NaN, 'big', 1.5, undefined, Infinity, {}, -0.5];
const NOT_PATHS = [42, null, undefined, {}, ['a'], Symbol('path')];
// [truthy, falsy] values of the wrong type for results read as booleans.
const WRONG_TYPE_TRUTH = [[1, 0], ['yes', ''], [{}, null], [[], undefined], [7n, 0n]];
const JUNK = [42, 'junk', {}, true, -1];

export class FaultVfs extends PassThroughVfs {
  #armed = null; // { method, n, kind, variant }
  #counts = Object.create(null);
  /** What the armed fault did: null until it fired; then { method, kind, thrown? }. */
  fired = null;

  constructor(inner, name) {
    super(inner, name);
  }

  /** Fails the `n`th call (1-based) of `method` from now on, in the way `kind` says. */
  arm({ method, n, kind, variant = n }) {
    if (!(method in METHODS)) throw new TypeError(`Expected a method of ${Object.keys(METHODS).join(', ')}`);
    this.#armed = { method, n, kind, variant };
    this.#counts = Object.create(null);
    this.fired = null;
  }

  /** Stops counting; returns the calls made per method since arm(). */
  disarm() {
    this.#armed = null;
    return { ...this.#counts };
  }

  get counts() {
    return { ...this.#counts };
  }

  // Counts a call of `method`; if it is the armed one, returns the fault to apply.
  hit(method) {
    const count = (this.#counts[method] = (this.#counts[method] ?? 0) + 1);
    const armed = this.#armed;
    if (!armed || armed.method !== method || armed.n !== count) return null;
    this.fired = { method, kind: armed.kind, variant: armed.variant };
    return this.fired;
  }

  // Throws for the failing kinds; returns for `malformed` and `busy`, which the caller shapes.
  fail(fault) {
    const codes = METHODS[fault.method];
    let error;
    if (fault.kind === 'ioerr') error = new VfsError(codes[fault.variant % codes.length], `injected ${fault.method} failure`);
    else if (fault.kind === 'full') error = new VfsError(C.SQLITE_FULL, `injected ${fault.method}: disk full`);
    else if (fault.kind === 'throw') error = plainException(fault.variant);
    else return;
    fault.thrown = error;
    throw error;
  }

  open(filename, flags) {
    const fault = this.hit('open');
    if (fault) {
      this.fail(fault);
      if (fault.kind === 'malformed') {
        const shape = fault.variant % 6;
        if (shape < 3) return [null, 42, {}][shape];
        // The rest open the real file: the vfs import must close it when it refuses the result.
        const opened = this.inner.open(filename, flags);
        if (shape === 3) {
          opened.file.close(); // nothing would ever close it
          return { file: null, flags };
        }
        return { file: this.wrapFile(opened.file), flags: shape === 4 ? 'readwrite' : 2 ** 40 };
      }
    }
    return super.open(filename, flags);
  }

  wrapFile(file) {
    return new FaultFile(this, file);
  }

  delete(filename, syncDir) {
    return this.#voidCall('delete', () => this.inner.delete(filename, syncDir));
  }

  access(filename, flags) {
    return this.#boolCall('access', () => this.inner.access(filename, flags));
  }

  fullPathname(filename) {
    const fault = this.hit('fullPathname');
    if (fault) {
      this.fail(fault);
      return NOT_PATHS[fault.variant % NOT_PATHS.length];
    }
    return this.inner.fullPathname(filename);
  }

  // A method whose result is only read for its truth.
  #boolCall(method, call) {
    const fault = this.hit(method);
    if (!fault) return call();
    this.fail(fault);
    if (fault.kind === 'busy') return false;
    const [yes, no] = WRONG_TYPE_TRUTH[fault.variant % WRONG_TYPE_TRUTH.length];
    return call() ? yes : no;
  }

  // A method that returns nothing.
  #voidCall(method, call) {
    const fault = this.hit(method);
    if (!fault) return call();
    this.fail(fault);
    call();
    return JUNK[fault.variant % JUNK.length];
  }

  // For FaultFile.
  fileBool(method, call) {
    return this.#boolCall(method, call);
  }

  fileVoid(method, call) {
    return this.#voidCall(method, call);
  }
}

class FaultFile extends PassThroughFile {
  #vfs;

  constructor(vfs, inner) {
    super(inner);
    this.#vfs = vfs;
  }

  #bytes(method, call) {
    const fault = this.#vfs.hit(method);
    if (!fault) return call();
    this.#vfs.fail(fault);
    return NOT_BYTES[fault.variant % NOT_BYTES.length];
  }

  read(offset, length) {
    return this.#bytes('read', () => this.inner.read(offset, length));
  }

  write(offset, data) {
    return this.#vfs.fileVoid('write', () => this.inner.write(offset, data));
  }

  truncate(size) {
    return this.#vfs.fileVoid('truncate', () => this.inner.truncate(size));
  }

  sync(flags) {
    return this.#vfs.fileVoid('sync', () => this.inner.sync(flags));
  }

  size() {
    const fault = this.#vfs.hit('size');
    if (!fault) return this.inner.size();
    this.#vfs.fail(fault);
    return NOT_SIZES[fault.variant % NOT_SIZES.length];
  }

  lock(level) {
    return this.#vfs.fileBool('lock', () => this.inner.lock(level));
  }

  unlock(level) {
    return this.#vfs.fileVoid('unlock', () => this.inner.unlock(level));
  }

  checkReservedLock() {
    return this.#vfs.fileBool('checkReservedLock', () => this.inner.checkReservedLock());
  }

  shmMap(region, size, extend) {
    return this.#vfs.fileBool('shmMap', () => this.inner.shmMap(region, size, extend));
  }

  shmRead(region, offset, length) {
    return this.#bytes('shmRead', () => this.inner.shmRead(region, offset, length));
  }

  shmWrite(region, offset, data) {
    return this.#vfs.fileVoid('shmWrite', () => this.inner.shmWrite(region, offset, data));
  }

  shmLock(offset, count, flags) {
    return this.#vfs.fileBool('shmLock', () => this.inner.shmLock(offset, count, flags));
  }

  shmUnmap(deleteStorage) {
    return this.#vfs.fileVoid('shmUnmap', () => this.inner.shmUnmap(deleteStorage));
  }

  close() {
    // Let go first (see the top of the file), then report the fault, if it is this call.
    const fault = this.#vfs.hit('close');
    this.inner.close();
    if (fault) {
      this.#vfs.fail(fault);
      return JUNK[fault.variant % JUNK.length];
    }
    return undefined;
  }
}
