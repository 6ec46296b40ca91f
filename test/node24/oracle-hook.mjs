// Loaded with --import in the Node 24 pass (scripts/test-node24.sh): `better-sqlite3`, the
// native oracle, resolves to the copy built for Node 24's ABI, in this process and (through
// NODE_OPTIONS) in the child processes tests start.
import { registerHooks } from 'node:module';

const oracle = new URL('./oracle/node_modules/better-sqlite3/lib/index.js', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'better-sqlite3') return { url: oracle, format: 'commonjs', shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
