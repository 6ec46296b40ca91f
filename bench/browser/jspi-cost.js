// The cost of one JSPI round trip per VFS call in Chromium and Firefox ESR (bench/jspi-measure.js),
// on a page's main thread.   node bench/browser/jspi-cost.js [--reads N]   (BROWSERS=firefox: one)
import { browserNames, launchBrowser } from '../../test/browser/browsers.js';
import { startStaticServer } from '../../test/browser/static-server.js';
import { openPage, onPage } from '../../test/browser/drive.js';
import { describeCost } from '../jspi-measure.js';

const reads = Number(process.argv[process.argv.indexOf('--reads') + 1]) || 20000;
const server = await startStaticServer();
try {
  for (const name of browserNames) {
    const browser = await launchBrowser(name);
    try {
      const page = await openPage(browser, server.origin);
      const result = await onPage(page, async (lib, n) => {
        const { measureJspiCost } = await import('/bench/jspi-measure.js');
        const { AsyncWrapperVfs } = await import('/test/support/async-vfs.js');
        return measureJspiCost(lib, AsyncWrapperVfs, { reads: n });
      }, reads);
      console.log(describeCost(`${name} ${browser.version}`, result));
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
