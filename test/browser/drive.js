// Driving the test pages (pages/index.html, pages/harness.js) from Node: what test/80 and
// test/81 share. A test body runs on the page's main thread or in one of its Workers, where
// `lib` is the package's browser entry.

/** A new tab of `browser` (browsers.js) on the harness page of `origin`; its page errors in `page.errors`. */
export async function openPage(browser, origin) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${origin}/test/browser/pages/index.html`);
  await page.waitForFunction(() => globalThis.harnessReady === true);
  page.errors = errors;
  return page;
}

/** Starts a Worker of `page` that runs test bodies; resolves to its id. */
export const spawn = (page) => page.evaluate(() => spawnWorker());

/** Runs `body` (an async function's source; `lib` and `args` in scope) in Worker `worker`. */
export const inWorker = (page, worker, body, ...args) =>
  page.evaluate(([w, b, a]) => runInWorker(w, b, ...a), [worker, body, args]);

/** Runs `fn(lib, ...args)` on the page's main thread (where the Worker API lives). */
export const onPage = (page, fn, ...args) => page.evaluate(async ([source, a]) => {
  const lib = await import('/dist/browser.js');
  return new Function('lib', 'args', `return (${source})(lib, ...args);`)(lib, a);
}, [fn.toString(), args]);
