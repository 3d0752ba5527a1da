import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@waybill\/([\w-]+)$/, replacement: resolve('packages/$1/src/index.ts') },
      { find: /^@waybill\/([\w-]+)\/events$/, replacement: resolve('packages/$1/src/events.ts') },
    ],
  },
  define: { __VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['packages/*/test/**/*.test.{ts,tsx}'],
    environment: 'node',
    // Vendor scripts the adapters inject cannot load in happy-dom; count that as loaded instead
    // of printing an error per test (the real loading is tested in Chromium, e2e/vendors.spec.ts).
    environmentOptions: { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: true } } },
  },
});
