// Firefox (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi.
import { existsSync } from 'node:fs';
import puppeteer, { type Page } from 'puppeteer-core';
import { backByScript, type Browser, type EnginePage, type LaunchOptions } from './driver';

/** `FIREFOX_PATH`, else Debian's Firefox ESR, else a `firefox` on the usual path. */
export const findFirefox = (): string | undefined =>
  [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((path) => path && existsSync(path));

export async function launchFirefox({ gpc = false }: LaunchOptions): Promise<Browser> {
  const executablePath = findFirefox();
  if (!executablePath) throw new Error('no Firefox: run `node e2e/engines/ensure-engines.mjs` (or set FIREFOX_PATH)');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: {
      // The "Tell websites not to sell or share my data" setting (about:preferences#privacy).
      'privacy.globalprivacycontrol.enabled': gpc,
      // A closed network: no update, telemetry or remote-settings requests while the tests run.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
    },
  });
  return {
    engine: 'firefox',
    version: (await browser.version()).replace(/^firefox\//, ''),
    async newPage() {
      const context = await browser.createBrowserContext();
      return wrap(await context.newPage());
    },
    close: () => browser.close(),
  };
}

const wrap = (page: Page): EnginePage => {
  const tab: EnginePage = {
    engine: 'firefox',
    async goto(url, waitUntil = 'load') {
      await page.goto(url, { waitUntil });
    },
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    back: () => backByScript(tab),
    async cookies() {
      return (await page.browserContext().cookies()).map(({ name, value, domain, path, httpOnly = false }) => ({ name, value, domain, path, httpOnly }));
    },
    close: () => page.browserContext().close(),
  };
  return tab;
};
