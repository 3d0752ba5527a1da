// A TCF v2.2 CMP for the tests, built from the IAB's own packages: @iabtechlabtcf/cmpapi serves
// `__tcfapi`, @iabtechlabtcf/core encodes real TC strings (against a small test vendor list).
// The browser loads both packages' ES modules from node_modules (see `serveTcfModules`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT } from '../server';

// Root devDependencies (their package.json files are not exported, so no require.resolve).
const PKG_DIRS: Record<string, string> = {
  cmpapi: join(ROOT, 'node_modules/@iabtechlabtcf/cmpapi'),
  core: join(ROOT, 'node_modules/@iabtechlabtcf/core'),
};

/** Serve `/tcf/<cmpapi|core>/…` from the installed packages' ES module builds. */
export async function serveTcfModules(page: Page): Promise<void> {
  await page.route(/\/tcf\/(cmpapi|core)\/.+\.js$/, async (route) => {
    const [, pkg, rest] = /\/tcf\/(cmpapi|core)\/(.+\.js)$/.exec(new URL(route.request().url()).pathname)!;
    const body = await readFile(join(PKG_DIRS[pkg!]!, 'lib/mjs', rest!), 'utf8').catch(() => undefined);
    await (body === undefined ? route.fulfill({ status: 404 }) : route.fulfill({ body, contentType: 'text/javascript' }));
  });
}

/** The import map that resolves the CMP's bare imports to `serveTcfModules`' paths. */
export const TCF_IMPORT_MAP = `<script type="importmap">${JSON.stringify({
  imports: { '@iabtechlabtcf/cmpapi': '/tcf/cmpapi/index.js', '@iabtechlabtcf/core': '/tcf/core/index.js' },
})}</script>`;

/**
 * The stub a TCF CMP puts first in the page: `__tcfapi` queues calls until the CMP loads and,
 * called without arguments, hands the queue over (what CmpApi reads when it takes over).
 */
export const TCF_STUB = `<script>
  (function () {
    var queue = [];
    window.__tcfapi = function (command, version, callback) {
      if (!arguments.length) return queue;
      if (command === 'ping') return callback({ gdprApplies: undefined, cmpLoaded: false, cmpStatus: 'stub', apiVersion: '2.2' }, true);
      queue.push([].slice.call(arguments));
    };
  })();
</script>`;

/** What the CMP module does once loaded. */
export interface CmpStart {
  /** A returning visitor's stored choice (purpose ids with consent): `tcloaded` without a banner. */
  stored?: number[];
  /** GDPR does not apply to this visitor. */
  notApplicable?: boolean;
  /** Insert the Waybill bundle once the CMP is set up (with a page made with `bundle: 'later'`). */
  thenLoadWaybill?: boolean;
}

/**
 * The CMP as a module script. With neither `stored` nor `notApplicable` it shows its banner
 * (`cmpuishown`) and waits; `window.cmp.choose(purposes)` is the visitor's click
 * (`useractioncomplete`). `window.cmp.tcString` is the last TC string it published.
 */
export const tcfCmp = (start: CmpStart = {}) => `<script type="module">${tcfCmpCode(start)}</script>`;

export const tcfCmpCode = (start: CmpStart = {}) => `
  import { CmpApi } from '@iabtechlabtcf/cmpapi';
  import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
  const purposes = {};
  for (let id = 1; id <= 11; id++) purposes[id] = { id, name: 'Purpose ' + id, description: '', illustrations: [] };
  // A two-vendor list for the tests (a real CMP loads the IAB's Global Vendor List from its own cache).
  const vendor = (id, name) => ({ id, name, purposes: [1, 2, 3, 4, 7, 8, 9, 10], legIntPurposes: [], flexiblePurposes: [], specialPurposes: [], features: [], specialFeatures: [], policyUrl: 'https://example.com' });
  const gvl = new GVL({ gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: '2025-01-01T00:00:00Z',
    purposes, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {},
    vendors: { 755: vendor(755, 'Google Advertising Products'), 1000: vendor(1000, 'Test ad vendor') } });
  const encode = (consents) => {
    const model = new TCModel(gvl);
    model.cmpId = 300;
    model.cmpVersion = 1;
    model.isServiceSpecific = true;
    model.purposeConsents.set(consents);
    if (consents.length) model.vendorConsents.set([755, 1000]);
    return TCString.encode(model);
  };
  const api = new CmpApi(300, 1, true);
  const cmp = (window.cmp = {
    tcString: undefined,
    choose(consents) { api.update((cmp.tcString = encode(consents)), false); },
    reopen() { api.update(cmp.tcString, true); },
  });
  const start = ${JSON.stringify(start)};
  if (start.notApplicable) api.update(null);
  else if (start.stored) api.update((cmp.tcString = encode(start.stored)), false);
  else api.update('', true);
  if (start.thenLoadWaybill) window.loadWaybill();
`;
