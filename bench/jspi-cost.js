// The cost of one JSPI round trip per VFS call on Node (bench/jspi-measure.js); needs JSPI
// (Node 24). `node bench/browser/jspi-cost.js` measures it in Chromium and Firefox.
//   node bench/jspi-cost.js [--reads N]
import * as lib from '../src/node.js';
import { AsyncWrapperVfs } from '../test/support/async-vfs.js';
import { describeCost, measureJspiCost } from './jspi-measure.js';

const reads = Number(process.argv[process.argv.indexOf('--reads') + 1]) || 20000;
if (typeof WebAssembly.Suspending !== 'function') {
  console.log(`jspi-cost: skipped: no JSPI in Node ${process.version}`);
} else {
  console.log(describeCost(`Node ${process.version}`, await measureJspiCost(lib, AsyncWrapperVfs, { reads })));
}
