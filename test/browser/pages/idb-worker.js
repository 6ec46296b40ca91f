// Runs test bodies for test/84 inside a dedicated Worker, with the indexeddb VFS loaded from
// src/: each body is the source of an async function of (idb, C, state), `state` kept between.
import * as idb from '../../../src/vfs/indexeddb.js';
import * as C from '../../../src/vfs/constants.js';

const AsyncFunction = (async () => {}).constructor;
const state = {};

globalThis.addEventListener('message', async ({ data: { id, body } }) => {
  try {
    postMessage({ id, result: await new AsyncFunction('idb', 'C', 'state', body)(idb, C, state) });
  } catch (e) {
    postMessage({ id, error: `${e?.name}: ${e?.message ?? e}` });
  }
});
