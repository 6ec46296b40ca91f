// Rewrites jco 1.12.0's generated glue (dist/js/sqlite.js) so that it reads guest pointers and
// lengths as unsigned 32-bit numbers. jco reads them as signed, so from 2 GiB of guest memory
// on an address turns negative: a string or list it lifts throws a RangeError, and a page the
// guest writes from there is sliced from the wrong end of memory. Run by scripts/build.sh after
// every transpile; it fails if jco's output no longer has the shapes it rewrites.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let source = readFileSync(file, 'utf8');

const rewrites = [
  // A pointer or length read out of a return area or a list element.
  [/(var (?:ptr|len|base)\d+ = dataView\(memory0\)\.)getInt32\(/g, '$1getUint32('],
  // A pointer or length passed as a core-wasm i32 argument to an import.
  [/(var (?:ptr|len|base)\d+ = arg\d+);/g, '$1 >>> 0;'],
];
for (const [pattern, replacement] of rewrites) {
  const before = source;
  source = source.replace(pattern, replacement);
  if (source === before) {
    console.error(`unsigned-pointers: nothing matched ${pattern} in ${file}; has jco's output changed?`);
    process.exit(1);
  }
}

const leftover = source.match(/var (?:ptr|len|base)\d+ = (?:dataView\(memory0\)\.getInt32\(|arg\d+;)/);
if (leftover) {
  console.error(`unsigned-pointers: a signed pointer read remains in ${file}: ${leftover[0]}`);
  process.exit(1);
}
writeFileSync(file, source);
