// Launch the system Chromium through playwright-core (no downloaded browsers).
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP *.localhost 127.0.0.1',
  // A UK browser: date fields show day, month, year.
  '--lang=en-GB',
];

/** Path of the Chromium executable: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Launch headless Chromium. Close it with `await browser.close()`. */
export function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60000,
    ...options,
  });
}
