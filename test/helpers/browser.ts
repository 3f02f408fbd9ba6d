// Headless Debian Chromium driven by playwright-core, started the way this project's machines allow:
// no sandbox (root), no GPU, no background networking (the network is closed).
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CXRLAB_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
