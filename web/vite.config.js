// The playground's Vite config. sqlite-component itself needs nothing here: its Worker and wasm
// files are found through `new URL(…, import.meta.url)`, which Vite follows in dev and build.
// The one setting is the playground's own: its sqlite-component is this checkout, linked from
// web/node_modules (file:..), i.e. outside web/, and the dev server serves files outside its
// root only where `server.fs.allow` says. An installed package sits in the project's own
// node_modules and needs no such line (test/83 runs a project like that with no config).
import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
});
