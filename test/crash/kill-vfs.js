// A node-fs wrapper for the process-kill trials that SIGKILLs its own process at the k-th call
// of one kind, so kills land where timing alone rarely does: inside xSync, right before or
// after a journal is created or deleted, between the writes of one commit, and in WAL mode
// between the steps of the wal-index protocol.
//
// Spec `kind:k:when`: kind is one of KINDS below; when is before (the call never happens) or
// after (it happened, the caller never hears back).
//   sync, write, truncate     xSync, xWrite, xTruncate of any file
//   journal-open, delete      opening a rollback journal; any xDelete
//   wal-sync, wal-write       xSync, xWrite of the -wal file only (a commit's frames and sync)
//   shm-lock                  any xShmLock, lock or unlock (the guest has sent its changed
//                             wal-index bytes just before: `before` dies after that, before the
//                             lock changes hands)
//   shm-write                 one run of changed wal-index bytes sent to the -shm file (dying
//                             between two runs leaves the index half-updated)

import { PassThroughVfs, PassThroughFile } from '../support/power-loss-vfs.js';

const KINDS = ['sync', 'journal-open', 'delete', 'write', 'truncate', 'wal-sync', 'wal-write', 'shm-lock', 'shm-write'];

export function parseKillSpec(spec) {
  const [kind, k, when] = spec.split(':');
  if (!KINDS.includes(kind) || !(Number(k) >= 1) || !['before', 'after'].includes(when)) {
    throw new TypeError(`Expected a kill spec like sync:3:before, not ${spec}`);
  }
  return { kind, k: Number(k), when };
}

function die() {
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered on the way out of the kill() call; never run on meanwhile.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

export class KillVfs extends PassThroughVfs {
  #spec;
  #count = 0;

  #onKill;

  /** `onKill` runs just before the kill, to leave word that the aim was reached. */
  constructor(inner, spec, { name = 'kill-node-fs', onKill } = {}) {
    super(inner, name);
    this.#spec = spec;
    this.#onKill = onKill;
  }

  /** Runs `call`, dying before or after it if this is the chosen call of `kind`. */
  around(kind, call) {
    const chosen = kind === this.#spec.kind && ++this.#count === this.#spec.k;
    if (chosen && this.#spec.when === 'before') this.#die();
    const out = call();
    if (chosen) this.#die();
    return out;
  }

  #die() {
    this.#onKill?.();
    die();
  }

  open(filename, flags) {
    const opening = () => super.open(filename, flags);
    return filename?.endsWith('-journal') ? this.around('journal-open', opening) : opening();
  }

  wrapFile(file, filename) {
    return new KillFile(file, this, Boolean(filename?.endsWith('-wal')));
  }

  delete(filename, syncDir) {
    this.around('delete', () => super.delete(filename, syncDir));
  }
}

class KillFile extends PassThroughFile {
  #vfs;
  #wal;

  constructor(inner, vfs, wal) {
    super(inner);
    this.#vfs = vfs;
    this.#wal = wal;
  }

  // A call of the WAL file counts as its wal-* kind too (inside the plain one).
  #around(kind, call) {
    const vfs = this.#vfs;
    return this.#wal ? vfs.around(kind, () => vfs.around(`wal-${kind}`, call)) : vfs.around(kind, call);
  }

  write(offset, data) {
    this.#around('write', () => super.write(offset, data));
  }

  truncate(size) {
    this.#vfs.around('truncate', () => super.truncate(size));
  }

  sync(flags) {
    this.#around('sync', () => super.sync(flags));
  }

  shmWrite(region, offset, data) {
    this.#vfs.around('shm-write', () => super.shmWrite(region, offset, data));
  }

  shmLock(offset, count, flags) {
    return this.#vfs.around('shm-lock', () => super.shmLock(offset, count, flags));
  }
}
