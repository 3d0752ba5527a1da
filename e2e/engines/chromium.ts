// Chromium through Playwright, behind the same interface as the other engines: it proves the
// layer (every scenario also runs where the Chromium e2e suite already knows the answers).
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../chromium.mjs';
import { backByScript, type Browser, type EnginePage, type LaunchOptions } from './driver';

export async function launchChromium({ backForwardCache = false }: LaunchOptions): Promise<Browser> {
  const found = findChromium();
  if (!found) throw new Error('no Chromium: run `node e2e/ensure-chromium.mjs`');
  const browser = await chromium.launch({
    executablePath: found.system ? found.path : undefined,
    args: CHROMIUM_ARGS,
    // Playwright turns the back/forward cache off by default; shoppers have it on (see LaunchOptions).
    ignoreDefaultArgs: backForwardCache ? ['--disable-back-forward-cache'] : [],
  });
  return {
    engine: 'chromium',
    version: browser.version(),
    async newPage() {
      const context = await browser.newContext();
      return wrap(await context.newPage());
    },
    close: () => browser.close(),
  };
}

const wrap = (page: Page): EnginePage => {
  const tab: EnginePage = {
    engine: 'chromium',
    async goto(url, waitUntil = 'load') {
      await page.goto(url, { waitUntil });
    },
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    back: () => backByScript(tab),
    async cookies() {
      return (await page.context().cookies()).map(({ name, value, domain, path, httpOnly }) => ({ name, value, domain, path, httpOnly }));
    },
    close: () => page.context().close(),
  };
  return tab;
};
