// Where to find a Chromium for Playwright. Shared by e2e/ensure-chromium.mjs
// (which installs one when this finds none) and playwright.config.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** System browsers tried, in order, after `CHROMIUM_PATH`. */
export const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Find a Chromium: env `CHROMIUM_PATH`, then a system browser, then one that
 * Playwright downloaded. Returns `null` when there is none.
 * `system` is true when Playwright must be given `executablePath`.
 * @returns {{ path: string, source: string, system: boolean } | null}
 */
export function findChromium() {
  const env = process.env.CHROMIUM_PATH;
  if (env && existsSync(env)) return { path: env, source: 'CHROMIUM_PATH', system: true };
  for (const path of SYSTEM_CHROMIUMS) {
    if (existsSync(path)) return { path, source: 'system', system: true };
  }
  try {
    // Sync require, so the config needs no top-level await; it fails before `pnpm install`.
    const path = createRequire(import.meta.url)('@playwright/test').chromium.executablePath();
    if (path && existsSync(path)) return { path, source: 'playwright', system: false };
  } catch {
    // @playwright/test not installed yet, or it knows no browser for this platform.
  }
  return null;
}

/** Chromium flags for a closed network and a root container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
