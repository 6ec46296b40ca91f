// The playground's Vite config. It needs nothing for sqlite-component: the package's Worker and
// wasm files are found through `new URL(…, import.meta.url)`, which Vite follows in dev and build.
import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
