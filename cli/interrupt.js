// Ctrl-C while SQL runs. The engine runs on the main thread, synchronously, so nothing there
// can read the terminal until the statement ends; a watcher thread reads it instead, while the
// session has armed it, and on Ctrl-C (byte 3: the terminal is in raw mode under readline)
// raises a flag that the database's progress handler reads (session.js), which stops the
// statement with SQLITE_INTERRUPT. Other keys typed meanwhile are handed back to readline when
// the statement ends, so type-ahead is not lost.
//
// The watcher reads its own descriptor of /dev/tty, opened non-blocking, and polls it every
// 20 ms while armed; disarmed, it sleeps on an Atomics.wait and reads nothing.
import { Worker, receiveMessageOnPort, MessageChannel } from 'node:worker_threads';

// Slots of the shared state.
const STATE = 0; // IDLE, ARMED or DISARMING (main → watcher); IDLE again is the watcher's ack
const INTERRUPT = 1; // 1 once Ctrl-C was read, until the session takes it
const READY = 2; // 1 once the watcher runs: until then there is nobody to arm
const IDLE = 0;
const ARMED = 1;
const DISARMING = 2;

const watcherSource = `
const { workerData } = require('node:worker_threads');
const { openSync, readSync, constants } = require('node:fs');
const { shared, port } = workerData;
const flags = new Int32Array(shared);
let fd = -1;
try {
  fd = openSync('/dev/tty', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
} catch {
  // No terminal to read: Ctrl-C cannot be seen, and the session simply runs.
}
const chunk = Buffer.alloc(256);
Atomics.store(flags, ${READY}, 1);
for (;;) {
  Atomics.wait(flags, ${STATE}, ${IDLE});
  const typed = [];
  while (Atomics.load(flags, ${STATE}) === ${ARMED}) {
    let n = 0;
    if (fd >= 0) {
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch {
        n = 0; // EAGAIN: nothing typed
      }
    }
    for (let i = 0; i < n; i++) {
      if (chunk[i] === 3) Atomics.store(flags, ${INTERRUPT}, 1);
      else typed.push(chunk[i]);
    }
    if (n === 0) Atomics.wait(flags, ${STATE}, ${ARMED}, 20);
  }
  if (typed.length) port.postMessage(Buffer.from(typed));
  Atomics.store(flags, ${STATE}, ${IDLE});
  Atomics.notify(flags, ${STATE});
}
`;

/**
 * A watcher for the terminal on stdin: `arm()` before running input, `disarm()` after (it
 * returns what was typed meanwhile, other than Ctrl-C); `requested()` says whether Ctrl-C was
 * pressed since it last answered yes.
 */
export function watchForInterrupt() {
  const shared = new SharedArrayBuffer(12);
  const flags = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(watcherSource, { eval: true, workerData: { shared, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return {
    arm() {
      Atomics.store(flags, INTERRUPT, 0);
      Atomics.store(flags, STATE, ARMED);
      Atomics.notify(flags, STATE);
    },
    disarm() {
      if (!Atomics.load(flags, READY)) {
        Atomics.store(flags, STATE, IDLE);
        return null;
      }
      Atomics.store(flags, STATE, DISARMING);
      Atomics.notify(flags, STATE);
      // The watcher answers within one read; a second is plenty even on a loaded machine.
      Atomics.wait(flags, STATE, DISARMING, 1000);
      const typed = receiveMessageOnPort(port1)?.message;
      return typed ? Buffer.from(typed) : null;
    },
    requested() {
      return Atomics.exchange(flags, INTERRUPT, 0) === 1;
    },
    close() {
      worker.terminate();
    },
  };
}
