// The real browsers the browser tests and benchmark run in, driven by playwright-core (which
// never downloads a browser of its own): Debian's Chromium over CDP and Debian's Firefox ESR
// over WebDriver BiDi (playwright's experimental `moz-firefox` channel).
//
//   import { browserNames, launchBrowser } from './browser/browsers.js';
//
//   browserNames                 ['chromium', 'firefox'], or the names in $BROWSERS
//                                (comma-separated), to run a subset.
//   await launchBrowser(name, { storageLimitMiB } = {})
//     → { name, version, context, newPage(url?), close() }
//       name       'chromium' | 'firefox'
//       version    the browser's version, e.g. '156.0.8078.79', '153.8.0'
//       context    a playwright BrowserContext over a fresh, empty, persistent profile
//                  (`launchPersistentContext`: an incognito-like context makes OPFS sync
//                  handle reads ~150x slower in Chromium, so nothing is measured in one).
//                  Every page of it is one storage partition: pages of one origin share OPFS,
//                  Web Locks and BroadcastChannel, as tabs of one browser do; a reload keeps
//                  OPFS; closing a page lets go of its Web Locks (test/80 'browser: tabs').
//                  It starts with one about:blank page of its own (in `context.pages()`).
//                  Use it for what playwright offers (route, pages(), events).
//       newPage(url?)  a new tab in `context`; with `url`, navigated there (load event).
//                  Call it several times for several tabs of one origin: every tab is
//                  'visible' and none has its timers throttled, in both browsers.
//       close()    closes the browser and deletes the profile.
//     storageLimitMiB  Firefox only: the whole profile's storage limit (its quota manager
//                  reads it once, at start-up). An origin's quota is then the limit up to
//                  10 MiB, a fifth of it but at least 10 MiB above (measured: 10 → 10 MiB,
//                  50 → 10 MiB, 200 → 40 MiB). Chromium's quota is lowered at run time instead,
//                  over CDP (`context.newCDPSession(page)`, `Storage.overrideQuotaForOrigin`).
//   await launchChromium()         the same as launchBrowser('chromium').
//   browserExecutables             name → the executable used.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, firefox } from 'playwright-core';

export const browserExecutables = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };
const apt = { chromium: 'chromium', firefox: 'firefox-esr' };

const allNames = Object.keys(browserExecutables);
export const browserNames = process.env.BROWSERS
  ? process.env.BROWSERS.split(',').map((s) => s.trim()).filter(Boolean)
  : allNames;
for (const name of browserNames) {
  if (!allNames.includes(name)) throw new Error(`BROWSERS names ${name}; known: ${allNames.join(', ')}`);
}

// Without the networking flags Chromium keeps trying Google's hosts on a closed network.
const chromiumFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Playwright's own profile prefs already turn off updates, telemetry and safe browsing;
// these are the rest of what would reach for Mozilla's hosts on a closed network.
const firefoxPrefs = {
  'network.captive-portal-service.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'extensions.blocklist.enabled': false,
  'toolkit.telemetry.enabled': false,
  // performance.now() to the microsecond, for the benchmark: Firefox rounds it to 1 ms on a page
  // that is not cross-origin isolated (Chromium to 0.1 ms).
  'privacy.reduceTimerPrecision': false,
};

const launchers = {
  chromium: (profile) => chromium.launchPersistentContext(profile, {
    executablePath: browserExecutables.chromium,
    headless: true,
    args: chromiumFlags,
  }),
  // The BiDi channel takes the profile as playwright's user data dir (it passes `--profile`
  // and writes the prefs into its user.js), so OPFS lives in that profile, as in a user's.
  firefox: (profile, { storageLimitMiB }) => firefox.launchPersistentContext(profile, {
    channel: 'moz-firefox',
    executablePath: browserExecutables.firefox,
    headless: true,
    firefoxUserPrefs: {
      ...firefoxPrefs,
      ...(storageLimitMiB ? { 'dom.quotaManager.temporaryStorage.fixedLimit': storageLimitMiB * 1024 } : {}),
    },
  }),
};

/** Launches browser `name` with an empty persistent profile (see the top of this file). */
export async function launchBrowser(name, { storageLimitMiB } = {}) {
  const executable = browserExecutables[name];
  if (!executable) throw new Error(`Expected a browser name among ${allNames.join(', ')}, got ${name}`);
  if (!fs.existsSync(executable)) {
    throw new Error(`${executable} is missing: run scripts/setup.sh, which installs Debian's ${apt[name]}`);
  }
  if (storageLimitMiB && name !== 'firefox') {
    throw new Error(`storageLimitMiB is for Firefox; lower ${name}'s quota over CDP`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `sqlite-component-${name}-`));
  let context;
  try {
    context = await launchers[name](profile, { storageLimitMiB });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const version = context.browser()?.version() ?? '';
  return {
    name,
    version,
    context,
    newPage: async (url) => {
      const page = await context.newPage();
      if (url) await page.goto(url);
      return page;
    },
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const launchChromium = () => launchBrowser('chromium');
