// Core Web Vitals (@waybill/web-vitals) in a real Chromium against the real collector: what
// reaches the collector and when, under consent, from npm and from the script tag's add-on.
import type { Page } from '@playwright/test';
import { shopPage } from './pages';
import { VITALS_CONTENT } from './vitals-content';
import { expect, expectNothingStored, flush, leaveAndProveSilence, poll, sdkReady, test, waitForEvents, wireEvents, type TestSite } from './fixtures';

/** The props of a `web_vital` event. */
interface Vital {
  metric: string;
  value: number;
  rating: string;
  delta: number;
  id: string;
  navigationType: string;
  target?: string;
}

const METRICS = ['CLS', 'FCP', 'INP', 'LCP', 'TTFB'];

/** npm: the plugin from its built module, as a shop's bundle would import it. */
const npmVitals = (call = 'webVitals(window.tracker);', from = '@waybill/web-vitals') => `
  ${VITALS_CONTENT}
  const { webVitals } = await import('${from}');
  ${call}`;

/** A late banner pushes the content down (no input just before it, so it counts), once it has been painted. */
async function shiftLayout(page: Page): Promise<void> {
  await page.locator('#buy').waitFor();
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const banner = document.createElement('div');
        banner.style.height = '200px';
        banner.textContent = 'Free shipping this week';
        document.body.prepend(banner);
        new PerformanceObserver((list, observer) => {
          if (list.getEntries().some((e) => (e as PerformanceEntry & { value: number }).value > 0)) observer.disconnect(), done();
        }).observe({ type: 'layout-shift', buffered: true });
      }),
  );
}

/** The web_vital events the collector stored, props only, in the order received. */
const stored = (site: TestSite): Vital[] => site.events('web_vital').map((e) => e.props as unknown as Vital);

/** Wait until the collector holds a web_vital event for each of `metrics`; returns them all. */
async function waitForMetrics(site: TestSite, metrics: string[]): Promise<Vital[]> {
  await poll(() => metrics.filter((m) => stored(site).some((v) => v.metric === m)), `collector holds ${metrics.join(', ')}`).toEqual(metrics);
  await waitForEvents(site, 0);
  return stored(site);
}

/** Each metric once (as stored and on the wire), with the documented props. */
function expectOnceEach(site: TestSite, metrics = METRICS): Vital[] {
  const vitals = stored(site);
  expect(vitals.map((v) => v.metric).sort(), 'one event per metric').toEqual(metrics);
  const sent = wireEvents(site).filter((e) => e.name === 'web_vital');
  expect(new Set(sent.map((e) => (e.props as unknown as Vital).id)).size, 'distinct metric ids on the wire').toBe(metrics.length);
  for (const v of vitals) {
    expect(Object.keys(v).filter((k) => k !== 'target').sort(), v.metric).toEqual(['delta', 'id', 'metric', 'navigationType', 'rating', 'value']);
    expect(v.value, v.metric).toBeGreaterThanOrEqual(0);
    expect(v.delta, `${v.metric}: reported once, so delta is the value`).toBe(v.value);
    expect(['good', 'needs-improvement', 'poor'], v.metric).toContain(v.rating);
    expect(v.id, v.metric).toMatch(/^v\d+-\d+-\d+$/);
    expect(v.navigationType, v.metric).toBe('navigate');
  }
  return vitals;
}

test.describe('web vitals (npm)', () => {
  test.use({ mode: 'npm' });

  test('LCP, FCP and TTFB arrive on the page; CLS and INP when it is hidden; each once though webVitals ran twice', async ({ page, site, shop, elsewhere }) => {
    await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' }); ${npmVitals('webVitals(window.tracker); webVitals(window.tracker);')}` }));
    await sdkReady(page);
    await shiftLayout(page);
    await page.click('#buy');
    // The click ends LCP; CLS and INP can still grow, so they wait for the page to be hidden.
    await waitForMetrics(site, ['FCP', 'LCP', 'TTFB']);
    await flush(page);
    expect(stored(site).map((v) => v.metric).sort(), 'before the page is hidden').toEqual(['FCP', 'LCP', 'TTFB']);

    await page.goto(elsewhere());
    await waitForMetrics(site, ['CLS', 'INP']);
    const vitals = expectOnceEach(site);
    const value = (metric: string) => vitals.find((v) => v.metric === metric)!.value;
    expect(value('CLS'), 'the banner moved the content').toBeGreaterThan(0);
    expect(value('INP'), 'the slow click (150 ms of work)').toBeGreaterThanOrEqual(100);
    expect(vitals.some((v) => 'target' in v), 'no attribution without the attribution import').toBe(false);
    for (const e of site.events('web_vital')) expect(e.context.consent.analytics).toBe('granted');
  });

  test('a slow click just before the page is hidden still counts in INP', async ({ page, site, shop, elsewhere }) => {
    await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' }); ${npmVitals()}` }));
    await sdkReady(page);
    const clicked = page.evaluate(
      () =>
        new Promise<void>((done) =>
          new PerformanceObserver((list, observer) => {
            if (list.getEntries().some((e) => e.name === 'click')) observer.disconnect(), done();
          }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit),
        ),
    );
    await page.click('#buy');
    // The click's timing entries have reached the page's observers (the library's too), and the
    // shopper leaves before the browser is idle.
    await clicked;
    await page.goto(elsewhere());
    const [inp] = (await waitForMetrics(site, ['INP'])).filter((v) => v.metric === 'INP');
    expect(inp!.value, 'the slow click (150 ms of work)').toBeGreaterThanOrEqual(100);
  });

  test('while consent is pending metrics are observed but nothing is sent or stored; on grant they go', async ({ page, site, shop, elsewhere }) => {
    // A tracker stand-in in front of the real one counts what the plugin reported.
    const spy = `window.reported = []; webVitals({ track: (name, props) => (window.reported.push(props.metric), window.tracker.track(name, props)) });`;
    await page.goto(shop({ flushInterval: 100, script: npmVitals(spy) }));
    await sdkReady(page);
    await shiftLayout(page);
    await page.click('#buy');
    await poll(() => page.evaluate(() => (window as unknown as { reported: string[] }).reported.sort()), 'metrics reported while pending').toEqual(['FCP', 'LCP', 'TTFB']);
    await flush(page);
    expect(site.requests, 'requests while consent is pending').toHaveLength(0);
    await expectNothingStored(page, 'while consent is pending');

    await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
    await waitForMetrics(site, ['FCP', 'LCP', 'TTFB']);
    await page.goto(elsewhere());
    await waitForMetrics(site, ['CLS', 'INP']);
    expectOnceEach(site);
  });

  test('pending when the page is hidden: CLS and INP are neither sent nor stored', async ({ page, site, shop }) => {
    await page.goto(shop({ script: npmVitals() }));
    await sdkReady(page);
    await shiftLayout(page);
    await page.click('#buy');
    await leaveAndProveSilence(page, site, shop);
  });

  test('the attribution import names the element behind LCP, INP and CLS; with the plain import too it still reports once', async ({ page, site, shop, elsewhere }) => {
    const both = `webVitals(window.tracker); (await import('@waybill/web-vitals')).webVitals(window.tracker);`;
    await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' }); ${npmVitals(both, '@waybill/web-vitals/attribution')}` }));
    await sdkReady(page);
    await shiftLayout(page);
    await page.click('#buy');
    await waitForMetrics(site, ['FCP', 'LCP', 'TTFB']);
    await page.goto(elsewhere());
    await waitForMetrics(site, ['CLS', 'INP']);
    const target = Object.fromEntries(expectOnceEach(site).map((v) => [v.metric, v.target]));
    expect(target.INP, 'the clicked button').toBe('#buy');
    expect(target.LCP, 'the largest text').toMatch(/^html>body>(h1|p|div)$/);
    expect(target.CLS, 'what the banner moved').toMatch(/^(html>body|#buy)/);
    expect(target.FCP).toBeUndefined();
    expect(target.TTFB).toBeUndefined();
  });

  test('without PerformanceObserver the page works, nothing throws and nothing is warned', async ({ page, site, shop }) => {
    const warnings: string[] = [];
    // (The browser's own 404 for /favicon.ico is not the page's doing.)
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && !m.location().url.endsWith('/favicon.ico') && warnings.push(m.text()));
    await page.addInitScript(() => delete (window as { PerformanceObserver?: unknown }).PerformanceObserver);
    await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' }); ${npmVitals()} wb('track', 'view_item');` }));
    await sdkReady(page);
    expect(await page.evaluate(() => typeof PerformanceObserver)).toBe('undefined');
    await page.click('#buy');
    await waitForEvents(site, 1, 'view_item');
    expect(warnings).toEqual([]);
  });
});

test.describe('web vitals (script tag)', () => {
  test.use({ mode: 'script' });

  for (const [attribute, addOn] of [
    ['data-web-vitals', '/waybill-vitals.min.js'],
    ['data-web-vitals="attribution"', '/waybill-vitals-attribution.min.js'],
  ] as const) {
    test(`${attribute} loads ${addOn}, which reports the five metrics after consent`, async ({ page, site, shop, elsewhere }) => {
      const scripts: string[] = [];
      page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
      await page.goto(shop({ flushInterval: 100, attributes: attribute, script: VITALS_CONTENT }));
      await sdkReady(page);
      await shiftLayout(page);
      await page.click('#buy');
      await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
      await waitForMetrics(site, ['FCP', 'LCP', 'TTFB']);
      await page.goto(elsewhere());
      await waitForMetrics(site, ['CLS', 'INP']);
      const vitals = expectOnceEach(site);
      expect(scripts, 'scripts loaded').toEqual(['/waybill.min.js', addOn]);
      const inp = vitals.find((v) => v.metric === 'INP')!;
      expect(inp.target, 'attribution only when asked').toBe(attribute.includes('attribution') ? '#buy' : undefined);
    });
  }

  test('data-web-vitals under a strict CSP with Trusted Types: the add-on loads without a violation', async ({ page, site }) => {
    const nonce = 'dml0YWxzLXRlc3Q';
    const policy = `default-src 'self'; script-src 'self' 'nonce-${nonce}'; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types waybill`;
    const html = shopPage({ mode: 'script', flushInterval: 100, attributes: 'data-web-vitals', script: `wb('consent', { analytics: 'granted' });` });
    // Every script of the page carries the nonce; the add-on gets it from Waybill's loader.
    const url = site.addPage(html.replaceAll('<script', `<script nonce="${nonce}"`));
    await page.route(url, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': policy } });
    });
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy|Trusted Type/i.test(m.text()) && violations.push(m.text()));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy: ${e.effectiveDirective} ${e.blockedURI}`)));
    await page.goto(url);
    await waitForMetrics(site, ['FCP', 'TTFB']);
    expect(violations).toEqual([]);
  });

  test('without data-web-vitals no add-on is loaded and no web_vital is sent', async ({ page, site, shop, elsewhere }) => {
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await page.goto(shop({ flushInterval: 100, script: `${VITALS_CONTENT} wb('consent', { analytics: 'granted' }); wb('track', 'view_item');` }));
    await sdkReady(page);
    await page.click('#buy');
    await page.goto(elsewhere());
    await waitForEvents(site, 1, 'view_item');
    expect(scripts).toEqual(['/waybill.min.js']);
    expect(wireEvents(site).map((e) => e.name)).toEqual(['view_item']);
  });
});
