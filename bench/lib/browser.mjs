// Chromium for the browser sections, with every request that is not to loopback logged.
// Each browser context gets a proxy of its own that records and refuses every request it gets,
// loopback excepted: the log of what that context's page tried to send to the internet, beacons
// at unload included. The browser's own traffic (component updates and the like) goes through
// another proxy at launch, so it is told apart from the SDKs'.
import { createServer } from 'node:http';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/chromium.mjs';

/** Starts a refusing proxy that adds `{ at, who, target }` to `attempts` for each request it gets. */
async function startInternetLog(who, attempts) {
  const server = createServer((req, res) => {
    attempts.push({ at: Date.now(), who, target: req.url });
    res.writeHead(502, { 'content-type': 'text/plain' }).end('bench: no internet');
  });
  server.on('connect', (req, socket) => {
    attempts.push({ at: Date.now(), who, target: `https://${req.url}` });
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    server: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * Launches Chromium. Each browser context looks like a shopper's browser: a desktop user agent
 * without "HeadlessChrome" and `navigator.webdriver` false, since some SDKs drop events from
 * bots (PostHog by user agent, Plausible by `navigator.webdriver`).
 */
export async function launchBrowser() {
  const found = findChromium();
  if (!found) throw new Error('no Chromium found: install one (apt-get install -y chromium) or set CHROMIUM_PATH');
  /** Every request that tried to leave the machine: `who` is the SDK whose page sent it, or 'chromium'. */
  const attempts = [];
  const own = await startInternetLog('chromium', attempts);
  const browser = await chromium.launch({
    executablePath: found.system ? found.path : undefined,
    args: [...CHROMIUM_ARGS, '--disable-blink-features=AutomationControlled', `--proxy-server=${own.server}`],
  });
  const major = browser.version().split('.')[0];
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
  return {
    version: browser.version(),
    attempts,
    /**
     * A fresh context (empty storage and cache) and a page in it, for the SDK `who`;
     * `page.cdp` is its CDP session. Close it with `context.close()`.
     */
    async newPage(who) {
      const proxy = await startInternetLog(who, attempts);
      const context = await browser.newContext({
        userAgent,
        viewport: { width: 1280, height: 800 },
        // Playwright sends loopback through a context's proxy unless told otherwise.
        proxy: { server: proxy.server, bypass: '127.0.0.1' },
      });
      context.on('close', () => proxy.close());
      const page = await context.newPage();
      page.cdp = await context.newCDPSession(page);
      return { context, page };
    },
    async close() {
      await browser.close();
      await own.close();
    },
  };
}

/** Main-thread time so far (CDP `Performance.getMetrics` TaskDuration, seconds) and JS heap. */
export async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const get = (name) => list.find((m) => m.name === name)?.value ?? 0;
  return { taskSeconds: get('TaskDuration'), scriptSeconds: get('ScriptDuration'), heapUsed: get('JSHeapUsedSize') };
}

/** JS heap in use after a full garbage collection (bytes). */
export async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}
