// The cross-engine driver layer: the few things a scenario does with a browser (open a page,
// run a script in it, navigate, read what it stores, close), over Playwright for Chromium,
// puppeteer-core (WebDriver BiDi) for Firefox and webdriverio (WebDriver classic) for WebKitGTK.
// Each scenario is written once against these interfaces and runs in all three engines.

/** The engines the suite runs in. */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** Engines with a Global Privacy Control setting of their own (the others send GPC only through extensions). */
export const GPC_SETTING: readonly EngineName[] = ['firefox'];

/** How a browser is started. */
export interface LaunchOptions {
  /**
   * Global Privacy Control turned on, as a shopper turns it on in the browser's settings.
   * Only Firefox has such a setting (`privacy.globalprivacycontrol.enabled`); the others ignore it.
   */
  gpc?: boolean;
  /**
   * The back/forward cache on. Firefox and WebKit always have it; Playwright turns it off in
   * Chromium, because it loses track of a page that enters the cache in a run of navigations
   * the page makes itself (every later call hangs): Chromium gets it only when asked.
   */
  backForwardCache?: boolean;
}

/** Whether `options` need a browser of their own in `engine` (a setting fixed at launch). */
export const needsOwnLaunch = (engine: EngineName, { gpc, backForwardCache }: LaunchOptions): boolean =>
  (!!gpc && GPC_SETTING.includes(engine)) || (!!backForwardCache && engine === 'chromium');

/** A running browser. */
export interface Browser {
  readonly engine: EngineName;
  /** The engine's version as the browser reports it, e.g. `153.8.0` or `2.50.6`. */
  readonly version: string;
  /** A new page in a profile of its own: no cookie or storage is shared with any other page. */
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** A cookie as the browser holds it (including those script cannot see). */
export interface BrowserCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  httpOnly: boolean;
}

/** When a navigation counts as done. */
export type WaitUntil = 'load' | 'domcontentloaded';

/** One tab. */
export interface EnginePage {
  readonly engine: EngineName;
  /**
   * Navigate and wait for the page's `load` event, or only for its DOM (in WebKit: only until
   * the navigation has started, as its WebDriver runs no command before `load`).
   */
  goto(url: string, waitUntil?: WaitUntil): Promise<void>;
  /**
   * Run `fn` in the page with one JSON argument and return its JSON result, awaited.
   * `fn` is sent as source: it sees only its argument and the page's globals.
   */
  evaluate<R, A = undefined>(fn: (arg: A) => R, arg?: A): Promise<Awaited<R>>;
  /** Go back one entry in the tab's history, as the browser's back button does; waits for the page shown. */
  back(): Promise<void>;
  /** Every cookie the browser holds for the page's site. */
  cookies(): Promise<BrowserCookie[]>;
  close(): Promise<void>;
}

/**
 * Back through script, then wait for the page to show: Playwright's and puppeteer's own "go back"
 * wait for a `load` event, which a page restored from the back/forward cache never fires.
 */
export async function backByScript(page: EnginePage): Promise<void> {
  const from = await page.evaluate(() => location.href);
  await page.evaluate(() => void setTimeout(() => history.back()));
  // A page loaded afresh (not from the cache) may show about:blank for a moment first.
  await waitInPage(page, (left) => location.href !== left && location.href !== 'about:blank' && document.readyState === 'complete', from, 'the previous page to show');
}

/** Start `engine`. Its driver is loaded on demand, so a run of one engine needs only that one installed. */
export async function launch(engine: EngineName, options: LaunchOptions = {}): Promise<Browser> {
  switch (engine) {
    case 'chromium':
      return (await import('./chromium')).launchChromium(options);
    case 'firefox':
      return (await import('./firefox')).launchFirefox(options);
    case 'webkit':
      return (await import('./webkit')).launchWebKit(options);
  }
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Poll `fn` in the page until it returns something truthy, and return that. Errors count as
 * "not yet": while a navigation is under way a driver may find no document to run in.
 */
export async function waitInPage<R, A = undefined>(page: EnginePage, fn: (arg: A) => R, arg?: A, what = 'the page condition', timeout = 15_000): Promise<Awaited<R>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (let interval = 25; ; interval = Math.min(interval * 2, 200)) {
    try {
      // A driver can leave a call unanswered when the page navigates under it: ask again.
      const value = await Promise.race([page.evaluate(fn, arg), pause(2000).then(() => Promise.reject(new Error('no answer within 2 s')))]);
      if (value) return value as Awaited<R>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} in ${page.engine} (last: ${String(last)})`);
    await pause(interval);
  }
}

/**
 * Run `fn`, which navigates the page away in the same task (`location.href = …`). The call's
 * answer may be lost with the document (WebKitGTK's WebDriver then fails it with "unknown
 * error"), so only a failure to start is an error: wait for the new page with {@link waitForUrl}.
 */
export async function evaluateAndLeave<A>(page: EnginePage, fn: (arg: A) => void, arg: A): Promise<void> {
  const before = await page.evaluate(() => location.href);
  await page.evaluate(fn, arg).catch(async (error: unknown) => {
    const now = await waitInPage(page, () => location.href, undefined, 'a document after the navigation').catch(() => before);
    if (now === before) throw error;
  });
}

/**
 * Wait until the page shows `url` (exactly, or matching) and its document has loaded: for a
 * navigation the page started itself (a link, `location.href`, `history.back()`).
 */
export async function waitForUrl(page: EnginePage, url: string | RegExp, waitUntil: WaitUntil = 'load'): Promise<void> {
  const want = typeof url === 'string' ? { exact: url } : { source: url.source, flags: url.flags };
  await waitInPage(
    page,
    ({ want, waitUntil }) => {
      const at = want.exact !== undefined ? location.href === want.exact : new RegExp(want.source!, want.flags).test(location.href);
      return at && (document.readyState === 'complete' || (waitUntil === 'domcontentloaded' && document.readyState === 'interactive'));
    },
    { want: want as { exact?: string; source?: string; flags?: string }, waitUntil },
    `${String(url)} to load`,
  );
}
