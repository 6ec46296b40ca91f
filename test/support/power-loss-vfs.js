// Simulated power loss for the crash harness (test/crash/), in the spirit of SQLite's own crash
// tests (src/test6.c) and https://www.sqlite.org/atomiccommit.html: a VFS wrapper that passes
// every call through to a real VFS (node-fs) and, beside it, models what the disk would still
// hold if the power failed at that moment.
//
// The model, per directory the database lives in:
// - each file has a durable image and the writes and truncations made since its last fsync;
//   an fsync of the file makes them durable;
// - the directory has the names it holds now and the names it held at its last fsync; a file
//   created or deleted since then may, after a crash, be missing or back (with its own durable
//   image plus whatever of its pending writes survived).
// At the crash, each file becomes its durable image plus a random subset of its pending writes,
// cut at sector boundaries, applied in their order — so later writes can land without earlier
// ones — and now and then a sector piece is garbage. Garbage stays inside the bytes a write
// covered, because node-fs promises SQLITE_IOCAP_POWERSAFE_OVERWRITE.
//
// Durability is what the wrapped VFS really does, not what it is asked to do: the model learns
// of an fsync by watching fs.fsyncSync/fs.fdatasyncSync (whatever node-fs syncs, file or
// directory, and whenever: inside xSync, xDelete or elsewhere). A VFS that forgets a sync, or
// a directory sync, loses data here as it would on a real disk.
//
// Crash points: the start of each call that changes the disk (open that creates, write,
// truncate, sync, delete) and of each fsync. At step `crashAt` the wrapper builds the post-crash
// image (`crashImage`), and from then on refuses every I/O call with SQLITE_IOERR, so the
// connection above stops; what it does next no longer matters.
//
// WAL: the -wal file is an ordinary file of the model (written and synced through the VFS). The
// wal-index (`<db>-shm`, which node-fs reads and writes itself, never through xWrite or xSync)
// is not storage: SQLite never syncs it and rebuilds it from the WAL, the first opener after a
// crash resetting it (the dead man's switch). So the model leaves it out: it is not in the
// post-crash image, and whoever writes that image decides what a -shm file there holds (none,
// zeros, the stale index the crashed writer left, garbage). After the crash, shm calls fail
// like every other I/O call.
//
// Left out: files outside the armed directory (temp files pass through unmodelled), renames
// (SQLite does not use them), and inode reuse while an unlinked file is still open.

import fs from 'node:fs';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { Vfs, VfsError } from '../../src/node.js';
import { SQLITE_IOERR, SQLITE_OPEN_CREATE } from '../../src/vfs/constants.js';

/** Forwards to `inner` every method `target` does not define itself (methods added to the VFS later). */
function forwardMissing(target, inner) {
  for (let proto = Object.getPrototypeOf(inner); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || key in target) continue;
      const desc = Object.getOwnPropertyDescriptor(proto, key);
      if (typeof desc.value === 'function') target[key] = (...args) => inner[key](...args);
    }
  }
}

/** A VFS that hands every call to another one; subclasses watch or change what passes. */
export class PassThroughVfs extends Vfs {
  constructor(inner, name) {
    super();
    this.inner = inner;
    this.name = name;
    forwardMissing(this, inner);
  }

  open(filename, flags) {
    const opened = this.inner.open(filename, flags);
    return { file: this.wrapFile(opened.file, filename, flags), flags: opened.flags ?? flags };
  }

  wrapFile(file) {
    return new PassThroughFile(file);
  }

  delete(filename, syncDir) {
    this.inner.delete(filename, syncDir);
  }

  access(filename, flags) {
    return this.inner.access(filename, flags);
  }

  fullPathname(filename) {
    return this.inner.fullPathname(filename);
  }
}

/**
 * One file of a PassThroughVfs. Not a VfsFile: that class brings an in-process lock of its own,
 * and the locks here must be the wrapped file's (which may be real OS locks).
 */
export class PassThroughFile {
  constructor(inner) {
    this.inner = inner;
    this.path = inner.path;
    forwardMissing(this, inner);
  }

  read(offset, length) {
    return this.inner.read(offset, length);
  }

  write(offset, data) {
    this.inner.write(offset, data);
  }

  truncate(size) {
    this.inner.truncate(size);
  }

  sync(flags) {
    this.inner.sync(flags);
  }

  size() {
    return this.inner.size();
  }

  lock(level) {
    return this.inner.lock(level);
  }

  unlock(level) {
    this.inner.unlock(level);
  }

  checkReservedLock() {
    return this.inner.checkReservedLock();
  }

  get lockLevel() {
    return this.inner.lockLevel;
  }

  sectorSize() {
    return this.inner.sectorSize();
  }

  deviceCharacteristics() {
    return this.inner.deviceCharacteristics();
  }

  // WAL's shared memory: offered exactly when the wrapped file offers it (a getter, which
  // forwardMissing would not carry over; without it SQLite would quietly refuse WAL).
  get sharedMemory() {
    return Boolean(this.inner.sharedMemory);
  }

  shmMap(region, size, extend) {
    return this.inner.shmMap(region, size, extend);
  }

  shmRead(region, offset, length) {
    return this.inner.shmRead(region, offset, length);
  }

  shmWrite(region, offset, data) {
    this.inner.shmWrite(region, offset, data);
  }

  shmLock(offset, count, flags) {
    return this.inner.shmLock(offset, count, flags);
  }

  shmUnmap(deleteStorage) {
    this.inner.shmUnmap(deleteStorage);
  }

  close() {
    this.inner.close();
  }
}

// The fsync watch. Installed once; it reports to whichever PowerLossVfs is armed.
const realFsync = fs.fsyncSync;
const realFdatasync = fs.fdatasyncSync;
let watcher = null;
let installed = false;

function installFsyncWatch() {
  if (installed) return;
  installed = true;
  const watch = (real) =>
    function (fd, ...rest) {
      watcher?.beforeFsync(fd);
      const out = real.call(this, fd, ...rest);
      watcher?.afterFsync(fd);
      return out;
    };
  fs.fsyncSync = watch(realFsync);
  fs.fdatasyncSync = watch(realFdatasync);
  // node-fs may import the named bindings; make them the watched ones too.
  syncBuiltinESMExports();
}

class CrashedError extends VfsError {
  constructor() {
    super(SQLITE_IOERR, 'simulated power loss: the disk is gone');
  }
}

/** One file as the disk holds it: a durable image, and the changes not yet synced. */
class ModelFile {
  constructor(ino, content = Buffer.alloc(0)) {
    this.ino = ino;
    this.durable = { data: Buffer.from(content), size: content.length };
    this.pending = [];
  }

  write(offset, data) {
    // The bytes may be a view into wasm memory that SQLite reuses: keep a copy.
    this.pending.push({ offset, data: Buffer.from(data) });
  }

  truncate(size) {
    this.pending.push({ truncate: size });
  }

  makeDurable() {
    applyOps(this.durable, this.pending, null);
    this.pending = [];
  }

  /** What a crash leaves of this file. */
  crashed(chances) {
    const image = { data: Buffer.from(this.durable.data.subarray(0, this.durable.size)), size: this.durable.size };
    applyOps(image, this.pending, chances);
    return image.data.subarray(0, image.size);
  }
}

// Applies `ops` to `image` ({ data, size }), every op whole when `chances` is null, else each
// sector piece of a write with probability chances.apply (garbage with chances.garbage) and
// each truncation with chances.apply.
function applyOps(image, ops, chances) {
  const grow = (end) => {
    if (end <= image.data.length) return;
    const data = Buffer.alloc(Math.max(end, 2 * image.data.length));
    image.data.copy(data, 0, 0, image.size);
    image.data = data;
  };
  for (const op of ops) {
    if (op.truncate !== undefined) {
      if (chances && chances.rng() >= chances.apply) continue;
      grow(op.truncate);
      // Zero what is cut, so a later growth reads zeros as a real file would.
      if (op.truncate < image.size) image.data.fill(0, op.truncate, image.size);
      image.size = op.truncate;
      continue;
    }
    const { offset, data } = op;
    const end = offset + data.length;
    if (!chances) {
      grow(end);
      data.copy(image.data, offset);
      image.size = Math.max(image.size, end);
      continue;
    }
    // Cut at sector boundaries: a disk writes a sector whole or not at all (or, torn, as garbage).
    for (let from = offset; from < end; ) {
      const to = Math.min(end, (Math.floor(from / chances.sector) + 1) * chances.sector);
      const r = chances.rng();
      if (r < chances.apply + chances.garbage) {
        grow(to);
        if (r < chances.garbage) chances.rng.bytes(to - from).copy(image.data, from);
        else data.copy(image.data, from, from - offset, to - offset);
        image.size = Math.max(image.size, to);
      }
      from = to;
    }
  }
}

/** Whether `name` is a wal-index (`<db>-shm`), which the model leaves out. */
export function isWalIndex(name) {
  return name.endsWith('-shm');
}

/** The disk under one directory. */
class Disk {
  constructor(dir) {
    this.dir = dir;
    const stat = fs.statSync(dir);
    this.dirId = `${stat.dev}:${stat.ino}`;
    this.names = new Map(); // name → ModelFile, as the directory holds them now
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      // Only files: node-fs's fallback lock directory, say, is none of SQLite's storage; nor is
      // a wal-index (see the header).
      if (!entry.isFile() || isWalIndex(entry.name)) continue;
      const name = entry.name;
      const file = path.join(dir, name);
      // Whatever is there at arming time is made durable for real, so the model starts true.
      const fd = fs.openSync(file, 'r+');
      try {
        realFsync(fd);
        this.names.set(name, new ModelFile(fs.fstatSync(fd).ino, fs.readFileSync(file)));
      } finally {
        fs.closeSync(fd);
      }
    }
    const dfd = fs.openSync(dir, 'r');
    realFsync(dfd);
    fs.closeSync(dfd);
    this.durableNames = new Map(this.names);
  }

  byIno(ino) {
    for (const file of this.names.values()) if (file.ino === ino) return file;
    return null;
  }

  /** What the directory holds after a crash: name → content. */
  crashed(chances) {
    const out = new Map();
    for (const name of new Set([...this.durableNames.keys(), ...this.names.keys()])) {
      const then = this.durableNames.get(name);
      const now = this.names.get(name);
      const file = then === now || chances.rng() < chances.dirNew ? now : then;
      if (file) out.set(name, file.crashed(chances));
    }
    return out;
  }
}

/**
 * The wrapper. arm() starts a trial on one directory; run SQLite through a Database opened with
 * `{ vfs: this.name }` until `crashed` is true (or call crashNow()); `crashImage` then holds the
 * post-crash files; writeImage() puts them in a fresh directory for recovery and checks.
 */
export class PowerLossVfs extends PassThroughVfs {
  #disk = null;
  #options = null;
  #steps = 0;
  crashImage = null;

  constructor(inner, { name = 'power-loss' } = {}) {
    super(inner, name);
    installFsyncWatch();
  }

  /**
   * `dir`: the directory to model (its files now are taken as durable). `crashAt`: the step to
   * crash at (Infinity: only crashNow()). `rng`: from workload.js makeRng. `apply`, `garbage`:
   * the chance that a pending sector piece lands, or lands as garbage; `dirNew`: the chance that
   * an unsynced directory change survives. `dropSyncs`: the deliberate fault of --break sync.
   */
  arm({ dir, crashAt = Infinity, rng, apply = 0.5, garbage = 0.05, dirNew = 0.5, dropSyncs = false }) {
    // The real path: node-fs resolves symlinks in the names it hands SQLite.
    this.#disk = new Disk(fs.realpathSync(dir));
    this.#options = { crashAt, dropSyncs, chances: { rng, apply, garbage, dirNew, sector: 4096 } };
    this.#steps = 0;
    this.crashImage = null;
    watcher = this;
  }

  disarm() {
    if (watcher === this) watcher = null;
    this.#disk = null;
  }

  get crashed() {
    return this.crashImage !== null;
  }

  /** Steps taken so far: the range crashAt can usefully be drawn from. */
  get steps() {
    return this.#steps;
  }

  /** Cuts the power now, between calls. */
  crashNow() {
    if (!this.crashImage) this.crashImage = this.#disk.crashed(this.#options.chances);
  }

  /** Writes the post-crash files into `dir`. */
  writeImage(dir) {
    for (const [name, content] of this.crashImage) fs.writeFileSync(path.join(dir, name), content);
  }

  // Counts a step; at the chosen one, crashes. After the crash, every step fails.
  #step() {
    if (!this.#disk) return;
    if (!this.crashImage && ++this.#steps >= this.#options.crashAt) this.crashNow();
    if (this.crashImage) throw new CrashedError();
  }

  #modelled(filename) {
    if (!this.#disk || filename === null) return null;
    const full = path.resolve(filename);
    return path.dirname(full) === this.#disk.dir ? path.basename(full) : null;
  }

  beforeFsync(fd) {
    if (this.#disk) this.#step();
  }

  afterFsync(fd) {
    const disk = this.#disk;
    if (!disk || this.crashImage) return;
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) {
      if (`${stat.dev}:${stat.ino}` === disk.dirId) disk.durableNames = new Map(disk.names);
    } else {
      disk.byIno(stat.ino)?.makeDurable();
    }
  }

  open(filename, flags) {
    const name = this.#modelled(filename);
    if (name === null) return super.open(filename, flags);
    const creates = !this.#disk.names.has(name) && flags & SQLITE_OPEN_CREATE;
    if (creates) this.#step();
    else if (this.crashImage) throw new CrashedError();
    const opened = this.inner.open(filename, flags);
    if (creates) this.#disk.names.set(name, new ModelFile(fs.statSync(path.resolve(filename)).ino));
    // The handle keeps the model of the file it opened, even once the name means another file.
    const file = new PowerLossFile(this, opened.file, this.#disk.names.get(name));
    return { file, flags: opened.flags ?? flags };
  }

  delete(filename, syncDir) {
    const name = this.#modelled(filename);
    if (name === null) return super.delete(filename, syncDir);
    this.#step();
    // Out of the model first: a directory sync inside the call must see the name gone.
    this.#disk.names.delete(name);
    this.inner.delete(filename, syncDir);
  }

  access(filename, flags) {
    if (this.crashImage && this.#modelled(filename) !== null) throw new CrashedError();
    return super.access(filename, flags);
  }

  // For PowerLossFile: the steps and the model live here.
  fileWrite(file, model, offset, data) {
    this.#step();
    file.inner.write(offset, data);
    model?.write(offset, data);
  }

  fileTruncate(file, model, size) {
    this.#step();
    file.inner.truncate(size);
    model?.truncate(size);
  }

  fileSync(file, flags) {
    this.#step();
    if (!this.#options.dropSyncs) file.inner.sync(flags);
  }

  fileRead(file, offset, length) {
    if (this.crashImage) throw new CrashedError();
    return file.inner.read(offset, length);
  }

  fileSize(file) {
    if (this.crashImage) throw new CrashedError();
    return file.inner.size();
  }

  // WAL's shared memory passes through untouched (it is not modelled), until the crash.
  fileShm(file, call) {
    if (this.crashImage) throw new CrashedError();
    return call();
  }
}

class PowerLossFile extends PassThroughFile {
  #vfs;
  #model;

  constructor(vfs, inner, model) {
    super(inner);
    this.#vfs = vfs;
    this.#model = model;
  }

  read(offset, length) {
    return this.#vfs.fileRead(this, offset, length);
  }

  write(offset, data) {
    this.#vfs.fileWrite(this, this.#model, offset, data);
  }

  truncate(size) {
    this.#vfs.fileTruncate(this, this.#model, size);
  }

  sync(flags) {
    this.#vfs.fileSync(this, flags);
  }

  size() {
    return this.#vfs.fileSize(this);
  }

  shmMap(region, size, extend) {
    return this.#vfs.fileShm(this, () => super.shmMap(region, size, extend));
  }

  shmRead(region, offset, length) {
    return this.#vfs.fileShm(this, () => super.shmRead(region, offset, length));
  }

  shmWrite(region, offset, data) {
    this.#vfs.fileShm(this, () => super.shmWrite(region, offset, data));
  }

  shmLock(offset, count, flags) {
    return this.#vfs.fileShm(this, () => super.shmLock(offset, count, flags));
  }
  // shmUnmap always passes through: it lets go of the real -shm file's descriptor and locks.
}
