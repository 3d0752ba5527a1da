import { defineConfig } from '@playwright/test';
import type { EngineName } from './driver';

// The cross-engine suite: each scenario (`*.scenario.ts`) once per engine. `pnpm e2e:engines`
// runs e2e/engines/ensure-engines.mjs first, which installs the engines if they are missing.
// One engine only: `npx playwright test -c e2e/engines --project=firefox`.
const engine = (name: EngineName) => ({ name, use: { engineName: name } });

export default defineConfig<{}, { engineName: EngineName }>({
  testDir: '.',
  testMatch: '*.scenario.ts',
  // Each test has its own site, collector and browser profile; one browser per engine and worker.
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  outputDir: '../../test-results/engines',
  projects: [engine('chromium'), engine('firefox'), engine('webkit')],
});
