// 1. Bytes: what each entry costs a shop's page, minified and brotli (quality 11), with the ratio
// to Waybill's npm build. An entry bundles its realistic use (init, one page view, one
// add_to_cart with items); for an SDK that splits code behind dynamic imports (Segment), the
// figure is the chunks a page really loaded in Chromium, and the chunks it never loaded are shown apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, ROOT } from '../lib/paths.mjs';
import { BROWSER_SDKS, bindings, browserBundlesOnce, bundle, generatedEntry, sizes, versionOf } from '../lib/bundle.mjs';
import { openPage, sleep, withSite } from '../lib/harness.mjs';
import { num, printTable, ratio } from '../lib/table.mjs';

const kB = (bytes) => num(bytes / 1000, 2);

/** The brotli bytes of the bundle files the SDK's page requested. */
function loadedBytes(browser, sdk) {
  return withSite(sdk, async (site) => {
    const { context } = await openPage(browser, site);
    await sleep(1500); // lazy chunks asked for after ready
    await context.close();
    const files = [...new Set(site.assets.map((a) => a.file))];
    return files.map((file) => sizes(readFileSync(file))).reduce((sum, s) => ({ minified: sum.minified + s.minified, brotli: sum.brotli + s.brotli }), { minified: 0, brotli: 0 });
  });
}

export async function run({ browser: getBrowser, log }) {
  const built = await browserBundlesOnce();
  const browser = await getBrowser();
  const rows = [];
  const add = (row) => rows.push(row);

  for (const sdk of BROWSER_SDKS) {
    const b = built[sdk.id];
    const loaded = b.chunks > 1 ? await loadedBytes(browser, sdk.id) : { minified: b.minified, brotli: b.brotli };
    add({ id: sdk.id, label: sdk.id === 'waybill' ? 'Waybill npm: core + first-party' : sdk.label, version: versionOf(sdk.pkg), ...loaded, unloaded: b.totalBrotli - loaded.brotli });
  }
  const vendors = await bundle('waybill-vendors', join(BENCH, 'sdks', 'waybill-vendors.js'));
  add({ id: 'waybill-vendors', label: 'Waybill npm: + TikTok + GA4', version: versionOf('@waybill/core'), minified: vendors.minified, brotli: vendors.brotli, unloaded: 0 });

  const scriptTag = join(ROOT, 'packages', 'browser', 'dist', 'waybill.min.js');
  add({ id: 'waybill-script-tag', label: 'Waybill script tag: waybill.min.js (as shipped)', version: versionOf('@waybill/browser'), ...sizes(readFileSync(scriptTag)), unloaded: 0, noShopCode: true });

  for (const binding of bindings()) {
    if (!binding.built) {
      log(`bytes: ${binding.pkg} has no dist/index.js (not built), skipped`);
      continue;
    }
    const entry = generatedEntry(
      `waybill-${binding.name}`,
      `import '../../sdks/waybill.js';\nimport * as binding from '@waybill/${binding.name}';\nglobalThis.benchBinding = binding;\n`,
    );
    const b = await bundle(`waybill-${binding.name}`, entry, { external: binding.external });
    add({ id: `waybill-${binding.name}`, label: `Waybill npm: + ${binding.pkg} (every export${binding.external.length ? `; ${binding.external.join(', ')} not counted` : ''})`, version: versionOf(binding.pkg), minified: b.minified, brotli: b.brotli, unloaded: 0 });
  }

  const shopEntry = generatedEntry('shop', `import { expose } from '../../sdks/shop.js';\nexpose('none', undefined, () => {});\n`);
  const shop = await bundle('shop', shopEntry);

  // Waybill's entries first, then the peers, in the order they were measured.
  rows.sort((a, b) => Number(!a.id.startsWith('waybill')) - Number(!b.id.startsWith('waybill')));
  const reference = rows.find((r) => r.id === 'waybill');
  printTable(
    'Bytes (minified + brotli)',
    ['entry', 'version', 'minified kB', 'brotli kB', '× Waybill npm', 'never-loaded chunks, brotli kB'],
    rows.map((r) => [r.label, r.version, kB(r.minified), kB(r.brotli), r.id === 'waybill' ? '1×' : ratio(r.brotli, reference.brotli), r.unloaded ? kB(r.unloaded) : '–']),
    [
      `Each entry (bench/sdks/) inits the SDK, tracks a page view and an add_to_cart with two items, bundled by esbuild (minify, ESM, code splitting, es2020); ` +
        `the shared shop code every entry carries (the cart, the bench hook) is ${kB(shop.brotli)} kB brotli of each figure except the script tag's. ` +
        'Bytes are exact: measured once, whatever --rounds says.',
    ],
  );
  return { rows, shopCode: { minified: shop.minified, brotli: shop.brotli } };
}
