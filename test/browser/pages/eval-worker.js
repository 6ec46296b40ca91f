// Runs test bodies sent by harness.js inside a dedicated Worker, with the package loaded.
import * as lib from '../../../dist/browser.js';

const AsyncFunction = (async () => {}).constructor;

globalThis.addEventListener('message', async ({ data }) => {
  const { id, body, args } = data;
  try {
    const result = await new AsyncFunction('lib', '...args', body)(lib, ...args);
    postMessage({ id, result });
  } catch (e) {
    postMessage({ id, error: { name: e?.name, message: e?.message ?? String(e), code: e?.code, cause: e?.cause?.message } });
  }
});
