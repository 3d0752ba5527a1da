// identify(): personal data is hashed in the page; the raw values go nowhere.
import { MODES, browserStorage, expect, flush, poll, sdkReady, sha256, storageText, test, waitForEvents } from './fixtures';

const EMAIL = ' A@Example.com ';
const PHONE = '+1 (555) 010-9999';
// Expected hashes of the normalised values: email trimmed and lower-cased, phone in E.164.
const EMAIL_HASH = sha256('a@example.com');
const PHONE_HASH = sha256('+15550109999');
// Fragments of the raw values, in the forms they could leak in (compared lower-cased).
const RAW = ['a@example.com', 'example.com', '(555)', '010-9999', '5550109999'];

const leaks = (text: string) => RAW.filter((raw) => text.toLowerCase().includes(raw));

for (const mode of MODES) {
  test.describe(`identify (${mode})`, () => {
    test.use({ mode });

    test('email and phone reach the collector only as SHA-256; the raw values are never sent or stored', async ({
      page,
      site,
      shop,
    }) => {
      // Called before consent, as a shop may on a login page; then the shopper consents.
      await page.goto(
        shop({
          flushInterval: 60_000,
          script: `
            wb('identify', 'user-42', { email: ${JSON.stringify(EMAIL)}, phone: ${JSON.stringify(PHONE)} });
            wb('track', 'login', { method: 'email' });`,
        }),
      );
      await sdkReady(page);
      expect(leaks(storageText(await browserStorage(page))), 'raw values stored while pending').toEqual([]);
      // The grant sends what waited at once; the collector refuses that first try, so the events stay stored a while.
      site.failNext(1, 503);
      await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));

      // Unsent events are kept in IndexedDB: the stored identify event holds the hash, not the raw email.
      await poll(async () => storageText(await browserStorage(page)), 'identify event kept in IndexedDB')
        .toContain(EMAIL_HASH);
      expect(leaks(storageText(await browserStorage(page))), 'raw values in storage').toEqual([]);

      await flush(page);
      const [identify] = await waitForEvents(site, 1, 'identify');
      const [login] = await waitForEvents(site, 1, 'login');
      expect(identify).toMatchObject({ type: 'identify', userId: 'user-42', traits: { email: EMAIL_HASH, phone: PHONE_HASH } });
      expect(login!.userId).toBe('user-42');
      expect(String(identify!.traits!.email)).toMatch(/^[0-9a-f]{64}$/);

      expect(site.requests.length).toBeGreaterThan(0);
      for (const request of site.requests) expect(leaks(request.body), 'raw values in a request body').toEqual([]);
      expect(leaks(storageText(await browserStorage(page))), 'raw values in storage after sending').toEqual([]);
    });
  });
}
