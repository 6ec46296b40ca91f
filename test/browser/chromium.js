// Kept for callers written before browsers.js: Chromium, launched as every browser is there.
import { browserExecutables } from './browsers.js';

export { launchChromium } from './browsers.js';
export const chromiumPath = browserExecutables.chromium;
