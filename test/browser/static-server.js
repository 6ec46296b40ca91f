// A static file server on 127.0.0.1 for the browser tests and benchmark. It serves the
// repository root, so pages import the package's own files (/src/browser.js, /dist/js/…)
// exactly as a bundler-free site would. No COOP/COEP headers unless asked (`isolated`): the
// package must not need them; only what uses SharedArrayBuffer (interrupt()) is tested with them.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Starts the server on a free port; resolves to { origin, close() }. `isolated`: pages are
 * cross-origin isolated (COOP/COEP headers), for what needs SharedArrayBuffer.
 */
export async function startStaticServer({ root = repoRoot, isolated = false } = {}) {
  const isolation = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://127.0.0.1');
    const file = path.join(root, decodeURIComponent(pathname));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    fs.stat(file, (statError, stat) => {
      if (statError || !stat.isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
        return;
      }
      response.writeHead(200, {
        'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
        'content-length': stat.size,
        'cache-control': 'no-store',
        ...isolation,
      });
      fs.createReadStream(file).pipe(response);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
