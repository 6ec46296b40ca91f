// Rewrites jco 1.12.0's JSPI glue (dist/js/sqlite-async.js) so that static resource functions
// are async: jco awaits the promising export inside them but leaves `async` off the function
// (`Connection.open = function open(…) { … await … }`), which is a syntax error. Run by
// scripts/build.sh after the async transpile; fails if the shapes it rewrites are gone.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let source = readFileSync(file, 'utf8');
for (const name of ['Connection.open = function open(', 'Backup.start = function start(']) {
  if (!source.includes(name)) throw new Error(`${file}: no "${name}" to make async; has jco's output changed?`);
  source = source.replace(name, name.replace('= function', '= async function'));
}
writeFileSync(file, source);
