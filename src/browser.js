// sqlite-component for browsers (pages and Workers): the synchronous API and the Worker API.
// The engine (browser-engine.js) and the page side of the Worker API (worker/client.js) are
// separate modules, so that a page bundle that only calls openDatabase carries no engine: the
// engine runs in the Worker, which loads it on its own (worker/worker-entry.js).
export * from './browser-engine.js';
export { default } from './browser-engine.js';
export { openDatabase, DatabaseWorker } from './worker/client.js';
