import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './e2e/chromium.mjs';

// `pnpm e2e` runs e2e/ensure-chromium.mjs first, which installs a browser if this finds none.
const chromium = findChromium();

export default defineConfig({
  testDir: 'e2e',
  // Each test starts its own server and collector on a free port, so tests run in parallel.
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: chromium?.system ? chromium.path : undefined,
      args: CHROMIUM_ARGS,
    },
  },
});
