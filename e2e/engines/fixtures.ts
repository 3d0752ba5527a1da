// Fixtures of the cross-engine suite: the engine of this project (chromium, firefox, webkit),
// one browser per worker, a fresh tab (in a profile of its own) per test, the test's own site
// with a real collector (e2e/server.ts), and a second origin for the shopper to go to.
import { expect, test as base } from '@playwright/test';
import { shopPage, type ShopPageOptions } from '../pages';
import { startSite, type TestSite } from '../server';
import { startVendors, tagBundle, type Vendors } from '../stand-ins/vendors';
import { launch, needsOwnLaunch, waitInPage, type Browser, type EngineName, type EnginePage, type LaunchOptions } from './driver';
import { startElsewhere, watcherScript, type Elsewhere } from './elsewhere';

export { expect };

interface WorkerFixtures {
  /** The engine this project runs in (set per project in playwright.config.ts). */
  engineName: EngineName;
  /** One browser per worker, shared by its tests (each test gets its own profile). */
  engine: Browser;
}

interface TestFixtures {
  /** How this test's browser is started: Global Privacy Control, back/forward cache (a browser of its own where that needs one). */
  launchWith: LaunchOptions;
  /** This test's tab. */
  tab: EnginePage;
  /** This test's site and collector. */
  site: TestSite;
  /** Another origin, and the sink of every test page's error and CSP watcher. */
  elsewhere: Elsewhere;
  /**
   * Serve a script-tag shop page (the built bundle) with the watcher at `path` (default: a fresh
   * one); returns its URL. `headers` replace the site's default `cache-control: no-store`;
   * `attributes` go on the bundle's script tag (`data-tiktok=…`).
   */
  shop(options?: Omit<ShopPageOptions, 'mode'> & { path?: string; headers?: Record<string, string>; attributes?: string }): string;
  /** Stand-ins of the TikTok and GA4 scripts on a third origin (e2e/stand-ins). */
  vendors: Vendors;
  /** Record a measured figure: shown in the run's output and kept in the report's annotations. */
  figure(name: string, value: unknown): void;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  engineName: ['chromium', { option: true, scope: 'worker' }],
  engine: [
    async ({ engineName }, use) => {
      const browser = await launch(engineName);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  launchWith: [{}, { option: true }],
  tab: async ({ engine, engineName, launchWith }, use, info) => {
    info.annotations.push({ type: 'engine', description: `${engineName} ${engine.version}` });
    // Preferences and switches are fixed at launch: some options need a browser of their own.
    const own = needsOwnLaunch(engineName, launchWith) ? await launch(engineName, launchWith) : undefined;
    const tab = await (own ?? engine).newPage();
    await use(tab);
    await tab.close().catch(() => {});
    await own?.close();
  },
  site: async ({}, use) => {
    const site = await startSite();
    await use(site);
    await site.close();
  },
  elsewhere: async ({}, use, info) => {
    const elsewhere = await startElsewhere();
    await use(elsewhere);
    await elsewhere.close();
    // The page never breaks: any uncaught error, rejection or CSP violation fails the test.
    if (info.status === 'passed') expect(elsewhere.reports, 'errors and violations reported by the pages (not claimed by the test)').toEqual([]);
  },
  shop: async ({ site, elsewhere }, use) => {
    await use(({ path, headers, attributes, ...options } = {}) => {
      const html = withWatcher(shopPage({ mode: 'script', ...options }), elsewhere);
      return site.addPage(attributes ? tagBundle(html, attributes) : html, path, headers);
    });
  },
  vendors: async ({}, use) => {
    const vendors = await startVendors();
    await use(vendors);
    await vendors.close();
  },
  figure: async ({ engineName }, use, info) => {
    await use((name, value) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      info.annotations.push({ type: `figure: ${name}`, description: text });
      console.log(`[figure] ${engineName}: ${name} = ${text}`);
    });
  },
});

/** `html` with the error and violation watcher as the first script of its head. */
export function withWatcher(html: string, elsewhere: Elsewhere, nonce?: string): string {
  const marked = html.replace('<meta charset="utf-8">', `<meta charset="utf-8">${watcherScript(elsewhere.url, nonce)}`);
  if (marked === html) throw new Error('no <meta charset="utf-8"> in the page: the watcher has nowhere to go');
  return marked;
}

/** Wait until the page's script ran to its end and the SDK has loaded (the async bundle ran). */
export async function sdkReady(tab: EnginePage): Promise<void> {
  await waitInPage(tab, () => window.pageScriptDone === true && window.sdk() !== undefined, undefined, 'the SDK to load');
}

/** Call the tracker's `flush()` in the page and wait for it to settle. */
export async function flush(tab: EnginePage): Promise<void> {
  await sdkReady(tab);
  await tab.evaluate(() => window.sdk()!.flush());
}

/** `wb(command, ...args)` in the page, as the shop's own code calls Waybill; returns what it returned. */
export const wb = (tab: EnginePage, command: string, ...args: unknown[]): Promise<unknown> =>
  tab.evaluate(([command, ...args]) => window.wb(command as string, ...args) ?? null, [command, ...args]);
