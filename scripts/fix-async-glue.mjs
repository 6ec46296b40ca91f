// Rewrites jco 1.12.0's JSPI glue (dist/js/sqlite-async.js) in two ways. Run by scripts/build.sh
// after the async transpile; fails if a shape it rewrites is gone (has jco's output changed?).
// 1. Static resource functions are made async: jco awaits the promising export inside them but
//    leaves `async` off the function (`Connection.open = function open(…) { … await … }`),
//    which is a syntax error.
// 2. Storage imports pass an answer that is no promise straight through. jco wraps each one in
//    an async function that awaits the VFS, so every call suspends the instance and waits for a
//    turn of the microtask queue, even when the VFS answered at once (from its cache, say).
//    JSPI does not suspend when an import's answer is no promise: each import becomes a plain
//    function that lowers a plain answer at once and a promised one when it settles.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let source = readFileSync(file, 'utf8');
const fail = (what) => {
  throw new Error(`${file}: ${what}; has jco's output changed?`);
};

for (const name of ['Connection.open = function open(', 'Backup.start = function start(']) {
  if (!source.includes(name)) fail(`no "${name}" to make async`);
  source = source.replace(name, name.replace('= function', '= async function'));
}

// One storage import as jco emits it: arguments lifted, the awaited call in try/catch, then the
// result lowered into the guest's memory (which reads `ret`); no part reaches into the next one.
const importShape = new RegExp(
  String.raw`new WebAssembly\.Suspending\(async function\(([^)]*)\) \{\n((?:(?!new WebAssembly)[\s\S])*?)` +
  String.raw`      let ret;\n      try \{\n        ret = \{ tag: 'ok', val: await ([^\n]*)\};\n` +
  String.raw`      \} catch \(e\) \{\n        ret = \{ tag: 'err', val: getErrorPayload\(e\) \};\n      \}\n` +
  String.raw`((?:(?!new WebAssembly)[\s\S])*?)\n    \}\n    \);`, 'g');
let rewritten = 0;
source = source.replace(importShape, (_, params, lift, call, lower) => {
  rewritten++;
  return `new WebAssembly.Suspending(function(${params}) {\n${lift}` +
    `      const lower = (ret) => {\n${lower}\n      };\n` +
    `      let val;\n      try {\n        val = ${call};\n      } catch (e) {\n` +
    `        return lower({ tag: 'err', val: getErrorPayload(e) });\n      }\n` +
    `      if (val instanceof Promise) {\n` +
    `        return val.then((v) => lower({ tag: 'ok', val: v }), (e) => lower({ tag: 'err', val: getErrorPayload(e) }));\n` +
    `      }\n      return lower({ tag: 'ok', val });\n    }\n    );`;
});
// Every Suspending import but `sleep` (always a real wait) has that shape.
const suspending = source.match(/new WebAssembly\.Suspending\(/g)?.length ?? 0;
if (rewritten === 0 || rewritten !== suspending - 1) fail(`${rewritten} of ${suspending} storage imports rewritten`);
writeFileSync(file, source);
