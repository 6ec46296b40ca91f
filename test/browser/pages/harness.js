// What the browser tests drive from Node (test/80.browser.test.js): Workers that run test
// code against the package, and the package itself on the main thread.
const workers = new Map();
let nextWorker = 1;

// A Worker that runs test bodies: each is the source of an async function of (lib, ...args),
// where lib is the package's browser entry.
globalThis.spawnWorker = () => {
  const worker = new Worker(new URL('./eval-worker.js', import.meta.url), { type: 'module' });
  const id = nextWorker++;
  workers.set(id, { worker, calls: new Map(), next: 1 });
  worker.addEventListener('message', ({ data }) => {
    const entry = workers.get(id);
    const call = entry?.calls.get(data.id);
    if (!call) return;
    entry.calls.delete(data.id);
    if ('error' in data) call.reject(Object.assign(new Error(data.error.message), data.error));
    else call.resolve(data.result);
  });
  return id;
};

globalThis.runInWorker = (id, body, ...args) => {
  const entry = workers.get(id);
  const callId = entry.next++;
  return new Promise((resolve, reject) => {
    entry.calls.set(callId, { resolve, reject });
    entry.worker.postMessage({ id: callId, body, args });
  });
};

globalThis.stopWorker = (id) => {
  workers.get(id)?.worker.terminate();
  workers.delete(id);
};

globalThis.harnessReady = true;
