// Fixtures of the cross-engine suite: the engine of this project (chromium, firefox, webkit),
// one browser per worker, a fresh tab (in a profile of its own) per test, the test's own site
// with a real collector (e2e/server.ts), and a second origin for the shopper to go to.
import { expect, test as base } from '@playwright/test';
import { shopPage, type ShopPageOptions } from '../pages';
import { startSite, type TestSite } from '../server';
import { launch, type Browser, type EngineName, type EnginePage } from './driver';
import { startElsewhere, watcherScript, type Elsewhere } from './elsewhere';

export { expect };

interface WorkerFixtures {
  /** The engine this project runs in (set per project in playwright.config.ts). */
  engineName: EngineName;
  /** One browser per worker, shared by its tests (each test gets its own profile). */
  engine: Browser;
}

interface TestFixtures {
  /** Start this test's browser with Global Privacy Control on (a browser of its own). */
  gpc: boolean;
  /** This test's tab. */
  tab: EnginePage;
  /** This test's site and collector. */
  site: TestSite;
  /** Another origin, and the sink of every test page's error and CSP watcher. */
  elsewhere: Elsewhere;
  /** Serve a script-tag shop page (the built bundle) with the watcher; returns its URL. */
  shop(options?: Omit<ShopPageOptions, 'mode'>): string;
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
  gpc: [false, { option: true }],
  tab: async ({ engine, engineName, gpc }, use, info) => {
    info.annotations.push({ type: 'engine', description: `${engineName} ${engine.version}` });
    // Preferences are per profile and fixed at launch: GPC needs a browser of its own.
    const own = gpc ? await launch(engineName, { gpc }) : undefined;
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
    if (info.status === 'passed') expect(elsewhere.reports, 'errors and violations reported by the pages').toEqual([]);
  },
  shop: async ({ site, elsewhere }, use) => {
    await use((options = {}) => site.addPage(withWatcher(shopPage({ mode: 'script', ...options }), elsewhere)));
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
