// Third-party files the shop serves from its own origin (no CDN): the vanilla-cookieconsent
// banner from npm. `pnpm start` (examples/demo.mjs) and the end-to-end tests copy them into
// `vendor/` (not committed) before serving the shop. Run `node examples/storefront/vendor.mjs` to copy by hand.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** `vendor/<name>` ← the npm file it is copied from. */
export const VENDOR_FILES = {
  'cookieconsent.umd.js': 'vanilla-cookieconsent/dist/cookieconsent.umd.js',
  'cookieconsent.css': 'vanilla-cookieconsent/dist/cookieconsent.css',
};

/** Copy the vendor files into `examples/storefront/vendor/`, skipping those already there. Returns the folder. */
export function copyVendor() {
  const dir = join(here, 'vendor');
  mkdirSync(dir, { recursive: true });
  for (const [name, from] of Object.entries(VENDOR_FILES)) {
    const source = require.resolve(from);
    const target = join(dir, name);
    if (existsSync(target) && readFileSync(target).equals(readFileSync(source))) continue;
    // Copy, then rename: a server (or a parallel test) never reads a half-written file.
    const partial = `${target}.${process.pid}.tmp`;
    copyFileSync(source, partial);
    renameSync(partial, target);
  }
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`copied to ${copyVendor()}`);
