// A node-fs wrapper for the process-kill trials that SIGKILLs its own process at the k-th call
// of one kind, so kills land where timing alone rarely does: inside xSync, right before or
// after a journal is created or deleted, between the writes of one commit.
//
// Spec `kind:k:when`: kind is sync, journal-open, delete, write or truncate; when is before
// (the call never happens) or after (it happened, the caller never hears back).

import { PassThroughVfs, PassThroughFile } from '../support/power-loss-vfs.js';

const KINDS = ['sync', 'journal-open', 'delete', 'write', 'truncate'];

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

  wrapFile(file) {
    return new KillFile(file, this);
  }

  delete(filename, syncDir) {
    this.around('delete', () => super.delete(filename, syncDir));
  }
}

class KillFile extends PassThroughFile {
  #vfs;

  constructor(inner, vfs) {
    super(inner);
    this.#vfs = vfs;
  }

  write(offset, data) {
    this.#vfs.around('write', () => super.write(offset, data));
  }

  truncate(size) {
    this.#vfs.around('truncate', () => super.truncate(size));
  }

  sync(flags) {
    this.#vfs.around('sync', () => super.sync(flags));
  }
}
