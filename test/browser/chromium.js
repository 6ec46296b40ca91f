// Debian's Chromium, driven by playwright-core (which never downloads a browser of its own).
// Each launch gets a fresh profile, so OPFS starts empty; a page reload keeps it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

// Without the networking flags Chromium keeps trying Google's hosts on a closed network.
const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Chromium with an empty profile; resolves to { context, close() }. */
export async function launchChromium() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: run scripts/setup.sh, which installs Debian's chromium`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: flags,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
