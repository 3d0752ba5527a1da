// A shop on plain http on a LAN address (not a secure context: no crypto.randomUUID, no
// crypto.subtle, no Web Locks): Waybill still tracks, and says plainly what it cannot do.
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';
import { MODES, expect, test, waitForEvents } from './fixtures';

const chromium = findChromium();
// Chromium treats 127.0.0.1 and localhost as secure; a LAN host name mapped to it is not.
test.use({
  launchOptions: { executablePath: chromium?.system ? chromium.path : undefined, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP shop.lan 127.0.0.1'] },
});

for (const mode of MODES) {
  test.describe(`not a secure context (${mode})`, () => {
    test.use({ mode });

    test('plain http on a LAN: events are tracked and delivered; email and phone are left out, and that is said once', async ({ page, site, shop }) => {
      const said: string[] = [];
      page.on('console', (m) => m.text().startsWith('[waybill] identify') && said.push(m.text()));
      const url = new URL(
        shop({
          flushInterval: 100,
          script: `wb('consent', { analytics: 'granted' }); wb('identify', 'user-42', { email: 'a@example.com', plan: 'gold' }); wb('track', 'view_item');`,
        }),
      );
      url.hostname = 'shop.lan';
      await page.goto(url.href);
      expect(await page.evaluate(() => [isSecureContext, typeof crypto.randomUUID, typeof crypto.subtle])).toEqual([false, 'undefined', 'undefined']);
      const [identify] = await waitForEvents(site, 1, 'identify');
      const [viewItem] = await waitForEvents(site, 1, 'view_item');
      expect(identify).toMatchObject({ userId: 'user-42', traits: { plan: 'gold' } });
      expect(identify!.traits).not.toHaveProperty('email');
      expect(viewItem!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(said).toEqual(['[waybill] identify: email and phone are left out: hashing them needs https (or localhost)']);
    });
  });
}
