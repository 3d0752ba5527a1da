// Waybill under a strict Content-Security-Policy: scripts only from the page's origin or with
// the page's nonce (no 'unsafe-inline', no 'unsafe-eval'), and Trusted Types enforced for
// script sinks. Any violation, reported or thrown, fails the test.
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { readStub } from './server';
import { expect, poll, sdkReady, test as siteTest, waitForEvents } from './fixtures';
import { chooseInBanner, test as shopTest, waybillConsent } from './cmp/shop';
import { GA4_ID, gtagEvents, PIXEL_ID, startVendors, tagBundle, tiktokTracked, vendorAttributes, vendorScriptRequests } from './stand-ins/vendors';

/** The policy, with a fresh nonce per response; `trustedTypes` lists the allowed policy names. */
const csp = (nonce: string, trustedTypes: string) =>
  [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}'`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `require-trusted-types-for 'script'`,
    `trusted-types ${trustedTypes}`,
  ].join('; ');

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  source: string;
}

/** Collect every CSP violation of every page this tab shows (events and console messages). */
async function watchViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  await page.exposeFunction('reportViolation', (v: Violation) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation(v: unknown): void }).reportViolation({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        sample: e.sample,
        source: `${e.sourceFile}:${e.lineNumber}`,
      }),
    );
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|TrustedScript|TrustedHTML/i.test(m.text())) {
      violations.push({ directive: 'console', blocked: '', sample: m.text().slice(0, 300), source: m.location().url });
    }
  });
  return violations;
}

shopTest.describe('the demo shop, strict CSP + Trusted Types', () => {
  shopTest.use({
    shopOptions: {
      // The documented nonce variant: the stub pasted inline, carrying the response's nonce.
      page: (html) => {
        const nonce = randomBytes(16).toString('base64');
        const inline = html.replace('<script src="/waybill-stub.js"></script>', `<script nonce="${nonce}">${readStub()}</script>`);
        if (inline === html) throw new Error('the shop page no longer loads /waybill-stub.js: update this test');
        // `default`: the shop's own policy for the banner's innerHTML (js/trusted-types.js); Waybill needs only `waybill`.
        return { html: inline, headers: { 'content-security-policy': csp(nonce, 'waybill default') } };
      },
    },
  });

  shopTest('no violation while browsing, choosing in the banner and sending events', async ({ page, storefront }) => {
    const violations = await watchViolations(page);
    await page.goto(storefront.url + '/');
    await chooseInBanner(page, 'Accept all');
    expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'granted' });
    await page.getByRole('button', { name: 'Add Enamel Camp Mug to cart' }).click();
    await page.goto(storefront.url + '/cart.html');
    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await expect(page.locator('#cc-main .pm')).toBeVisible();
    await page.goto(storefront.url + '/product.html?id=organic-tee');
    expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted' });
    await poll(() => ['view_item_list', 'add_to_cart', 'view_cart', 'view_item'].filter((n) => !storefront.events(n).length), 'events not yet stored').toEqual([]);
    expect(violations).toEqual([]);
  });
});

siteTest.describe('Waybill alone, with only its own Trusted Types policy', () => {
  siteTest.use({ mode: 'script' });

  /** Serve `html` at a fresh path of the test site, under the strict policy. */
  const serveStrict = async (page: Page, url: string, html: (nonce: string) => string) => {
    await page.route(url, async (route) => {
      const nonce = randomBytes(16).toString('base64');
      await route.fulfill({ body: html(nonce), headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp(nonce, 'waybill') } });
    });
  };

  siteTest('script tag: inline stub with the nonce, async bundle, events delivered, no violation', async ({ page, site }) => {
    const violations = await watchViolations(page);
    const url = `${site.url}/strict-script-tag`;
    await serveStrict(
      page,
      url,
      (nonce) => `<!doctype html><html><head><meta charset="utf-8"><title>strict</title>
<script nonce="${nonce}">${readStub()}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="100" data-consent="cookieconsent"></script>
<script nonce="${nonce}">
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  waybill('page');
  waybill('consent', { analytics: 'granted' });
  waybill('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
  window.pageScriptDone = true;
</script></head><body></body></html>`,
    );
    await page.goto(url);
    await sdkReady(page);
    expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);
    expect(violations).toEqual([]);
  });

  siteTest('npm: loadScript injects a vendor script from another origin through the `waybill` policy and the page nonce', async ({ page, site }) => {
    const violations = await watchViolations(page);
    // Another origin than the page's (localhost vs 127.0.0.1), so only the nonce lets it run.
    const vendor = site.url.replace('127.0.0.1', 'localhost') + '/vendor.js';
    await page.route(vendor, (route) => route.fulfill({ body: 'window.vendorRan = true;', contentType: 'text/javascript' }));
    const url = `${site.url}/strict-npm`;
    await serveStrict(
      page,
      url,
      (nonce) => `<!doctype html><html><head><meta charset="utf-8"><title>strict npm</title>
<script type="importmap" nonce="${nonce}">{ "imports": { "@waybill/core": "/pkg/core/index.js", "idb-keyval": "/node_modules/idb-keyval/dist/index.js" } }</script>
<script type="module" nonce="${nonce}">
  import { loadScript } from '@waybill/core';
  loadScript(${JSON.stringify(vendor)});
</script></head><body></body></html>`,
    );
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { vendorRan?: boolean }).vendorRan === true);
    expect(violations).toEqual([]);
  });

  siteTest('the check works: a plain string script URL is reported', async ({ page, site }) => {
    const violations = await watchViolations(page);
    const url = `${site.url}/strict-bad`;
    await serveStrict(
      page,
      url,
      (nonce) => `<!doctype html><html><head><meta charset="utf-8"><title>strict bad</title>
<script nonce="${nonce}">
  try { var s = document.createElement('script'); s.src = '/vendor.js'; document.head.appendChild(s); } catch (e) {}
</script></head><body></body></html>`,
    );
    await page.goto(url);
    await poll(() => violations.some((v) => v.directive === 'require-trusted-types-for'), 'the Trusted Types violation is seen').toBe(true);
  });

  siteTest('script tag: the TikTok and GA4 scripts load under the policy (data-tiktok, data-ga4)', async ({ page, site }) => {
    const vendors = await startVendors();
    try {
      const violations = await watchViolations(page);
      const nonce = randomBytes(16).toString('base64');
      // The stand-ins' origin is not in script-src: only the nonce that loadScript copies lets them
      // run. connect-src lets them report their calls, as a shop lists a vendor's endpoints.
      const policy = `${csp(nonce, 'waybill')}; connect-src 'self' ${vendors.url}`;
      const bundle = tagBundle('<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="100"></script>', vendorAttributes(vendors));
      // The policy comes in a <meta> element, first in the head, rather than a header: the site
      // cannot add headers, and Chromium treats a document that page.route fulfils as public and
      // then refuses its requests to the loopback stand-ins.
      const url = site.addPage(`<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>strict vendors</title>
<script nonce="${nonce}">${readStub()}</script>
${bundle}
<script nonce="${nonce}">
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  waybill('consent', { analytics: 'granted', marketing: 'granted' });
  waybill('page');
  waybill('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
  window.pageScriptDone = true;
</script></head><body></body></html>`);
      await page.goto(url);

      // Both stand-ins ran: they reported the calls the adapters made.
      await poll(() => tiktokTracked(vendors), 'TikTok events').toEqual(['Pageview', 'ViewContent']);
      await poll(() => gtagEvents(vendors), 'GA4 events').toEqual(['page_view', 'view_item']);
      expect(vendorScriptRequests(vendors).sort()).toEqual([`GET /gtag/js?id=${GA4_ID}`, `GET /tiktok/events.js?sdkid=${PIXEL_ID}&lib=ttq`]);
      expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);
      expect(violations).toEqual([]);
    } finally {
      await vendors.close();
    }
  });
});
