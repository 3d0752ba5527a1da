import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `@waybill/<name>` (and its `/events` tables) resolved to a package's sources, or to what `pnpm build` made of them. */
const waybill = (dir, ext) => ({
  alias: [
    { find: /^@waybill\/([\w-]+)$/, replacement: resolve(`packages/$1/${dir}/index.${ext}`) },
    { find: /^@waybill\/([\w-]+)\/events$/, replacement: resolve(`packages/$1/${dir}/events.${ext}`) },
  ],
});

export default defineConfig({
  // The version the build writes into every event, so source and dist runs expect the same.
  define: { __VERSION__: JSON.stringify(JSON.parse(readFileSync('packages/core/package.json', 'utf8')).version) },
  test: {
    environment: 'node',
    // Vendor scripts the adapters inject cannot load in happy-dom; count that as loaded instead
    // of printing an error per test (the real loading is tested in Chromium, e2e/vendors.spec.ts).
    environmentOptions: { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: true } } },
    projects: [
      { extends: true, resolve: waybill('src', 'ts'), test: { name: 'source', include: ['packages/*/test/**/*.test.{ts,tsx}'] } },
      {
        // The same tests against the built, minified packages: what shops run, with every
        // internal name mangled (a mangling bug shows only here). `pnpm build` first.
        extends: true,
        resolve: waybill('dist', 'js'),
        test: {
          name: 'dist',
          include: ['packages/{core,first-party,consent,tiktok,ga4,web-vitals,react,vue}/test/**/*.test.{ts,tsx}'],
          globalSetup: ['vitest.dist-setup.mjs'],
        },
      },
    ],
  },
});
