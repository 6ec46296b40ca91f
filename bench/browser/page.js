// The page's half of the browser bench: starts one engine's Worker, forwards its log lines to
// the console (run.js prints them), times init from `new Worker` to the first query's answer,
// and resolves with what the Worker reported. Failures resolve too, as { error }, so that run.js
// can print them; nothing is left running after a timeout.
window.runWorker = (engine, mode, size, timeoutMs) => new Promise((resolve) => {
  const url = new URL(`./worker.js?engine=${engine}&mode=${mode}&size=${size}`, import.meta.url);
  const t0 = performance.now();
  const worker = new Worker(url, { type: 'module' });
  let initMs = null;
  const timer = setTimeout(() => finish({ error: { message: `no answer after ${timeoutMs} ms` } }), timeoutMs);
  function finish(result) {
    clearTimeout(timer);
    worker.terminate();
    resolve({ initMs, ...result });
  }
  worker.onmessage = ({ data }) => {
    if (data.type === 'log') console.log(`${engine}: ${data.text}`);
    else if (data.type === 'init') initMs = performance.now() - t0;
    else if (data.type === 'done') finish(data);
    else if (data.type === 'error') finish({ error: data.error });
  };
  // A module that fails to load or a throw outside main() lands here, usually with little detail;
  // the browser's own console line (forwarded by run.js) says more.
  worker.onerror = (e) => finish({ error: { message: `Worker error: ${e.message || 'a module failed to load'}`,
    where: e.filename ? `${e.filename}:${e.lineno}` : undefined } });
});

// Starts the browser's Worker machinery and its OPFS backend once, untimed, so that the first
// engine measured does not pay for them.
window.warmUpBrowser = () => new Promise((resolve, reject) => {
  const source = `(async () => {
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle('warm-up', { create: true });
    (await file.createSyncAccessHandle()).close();
    await root.removeEntry('warm-up');
    postMessage('ok');
  })().catch((e) => postMessage(String(e)));`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  worker.onmessage = ({ data }) => {
    worker.terminate();
    if (data === 'ok') resolve();
    else reject(new Error(`OPFS warm-up failed: ${data}`));
  };
});
