// An async VFS for tests on hosts without IndexedDB: another VFS's methods, each answering
// with a promise that settles on a later task (setTimeout 0 every `everyNth` call, a microtask
// otherwise), so the instance really suspends and the event loop runs in between. With
// `plainEvery`, every so many calls answer at once instead (a value, or a thrown exception), as
// an async VFS may when it has the answer at hand: the instance then goes on without suspending.
import { Vfs } from '../../src/vfs/base.js';

const later = (value, macrotask) => new Promise((resolve) => (macrotask ? setTimeout(() => resolve(value), 0) : queueMicrotask(() => resolve(value))));

export class AsyncWrapperVfs extends Vfs {
  async = true;
  calls = 0; // VFS calls so far, files' included
  failures = new Map(); // a file method's name → what it throws instead of answering
  #inner;
  #everyNth;
  #plainEvery;

  constructor(name, inner, { everyNth = 8, plainEvery = 0 } = {}) {
    super();
    this.name = name;
    this.#inner = inner;
    this.#everyNth = everyNth;
    this.#plainEvery = plainEvery;
  }

  // The inner method's answer (or its exception), on a later microtask or task.
  answer(call) {
    this.calls++;
    if (this.#plainEvery && this.calls % this.#plainEvery === 0) return call();
    const macrotask = this.calls % this.#everyNth === 0;
    try {
      return later(call(), macrotask);
    } catch (e) {
      return later(null, macrotask).then(() => {
        throw e;
      });
    }
  }

  open(path, flags) {
    return this.answer(() => {
      const opened = this.#inner.open(path, flags);
      return { ...opened, file: this.#wrapFile(opened.file) };
    });
  }

  delete(path, syncDir) {
    return this.answer(() => this.#inner.delete(path, syncDir));
  }

  access(path, flags) {
    return this.answer(() => this.#inner.access(path, flags));
  }

  fullPathname(path) {
    return this.answer(() => this.#inner.fullPathname(path));
  }

  #wrapFile(file) {
    const vfs = this;
    const wrapped = {
      sharedMemory: false,
      sectorSize: () => file.sectorSize(),
      deviceCharacteristics: () => file.deviceCharacteristics(),
    };
    for (const name of ['read', 'write', 'truncate', 'sync', 'size', 'lock', 'unlock', 'checkReservedLock', 'close']) {
      wrapped[name] = (...args) => vfs.answer(() => {
        if (vfs.failures.has(name)) throw vfs.failures.get(name);
        const result = file[name](...args);
        // A read may be a view of the inner VFS's memory, valid only until its next call.
        return name === 'read' ? result.slice() : result;
      });
    }
    return wrapped;
  }
}
