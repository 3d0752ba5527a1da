// Fixtures for the tests that drive the demo shop and its real consent banner
// (vanilla-cookieconsent), plus helpers to read what Waybill holds in the browser.
import type { Locator, Page } from '@playwright/test';
import { browserStorage, expect, poll, test as base } from '../fixtures';
import { startStorefront, type Storefront, type StorefrontOptions } from './storefront';

export { expect, poll };

interface ShopFixtures {
  /** Options of this test's shop (headers, page rewrites). Set with `test.use({ shopOptions })`. */
  shopOptions: StorefrontOptions;
  /** This test's shop and collector. */
  storefront: Storefront;
}

export const test = base.extend<ShopFixtures>({
  shopOptions: [{}, { option: true }],
  storefront: async ({ shopOptions, page }, use) => {
    // The banner hides itself from automated browsers (its `hideFromBots`, on by default, reads
    // navigator.webdriver). The shop keeps that default; the tests look like a person instead.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
    const shop = await startStorefront(shopOptions);
    await use(shop);
    await shop.close();
  },
});

/** The banner's first layer (bottom right). */
export const consentModal = (page: Page): Locator => page.locator('#cc-main .cm');
/** The banner's preferences dialog. */
export const preferences = (page: Page): Locator => page.locator('#cc-main .pm');

/** Click a button of the banner's first layer once it shows. */
export async function chooseInBanner(page: Page, button: 'Accept all' | 'Reject all' | 'Manage preferences'): Promise<void> {
  await consentModal(page).getByRole('button', { name: button }).click();
}

/** Open the preferences dialog, set the analytics and marketing toggles, save. */
export async function savePreferences(page: Page, choice: { analytics: boolean; marketing: boolean }): Promise<void> {
  const dialog = preferences(page);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'Analytics' }).setChecked(choice.analytics);
  await dialog.getByRole('checkbox', { name: 'Marketing' }).setChecked(choice.marketing);
  await dialog.getByRole('button', { name: 'Save preferences' }).click();
  await expect(dialog).toBeHidden();
}

/** Waybill's consent state in the page, once the bundle has loaded. */
export async function waybillConsent(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(() => typeof window.waybill?.consent?.get === 'function');
  return page.evaluate(() => window.waybill.consent!.get());
}

/** What Waybill keeps in the browser: its localStorage/sessionStorage keys and IndexedDB databases. */
export async function waybillStorage(page: Page): Promise<string[]> {
  const s = await browserStorage(page);
  return [
    ...Object.keys(s.localStorage).filter((k) => k.startsWith('waybill')).map((k) => `localStorage ${k}`),
    ...Object.keys(s.sessionStorage).filter((k) => k.startsWith('waybill')).map((k) => `sessionStorage ${k}`),
    ...s.indexedDB.filter((db) => db.name.startsWith('waybill')).map((db) => `IndexedDB ${db.name}`),
  ];
}

/**
 * Prove that nothing else reached the collector: post a sentinel batch from the page itself and
 * wait until it is stored. Beacons of earlier pages left before this page even loaded, and
 * requests of this page before the sentinel's, so by then they have arrived too.
 */
export async function proveSilence(page: Page, shop: Storefront): Promise<void> {
  await page.evaluate(() =>
    fetch('/collect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events: [{ id: 'sentinel', type: 'track', name: 'sentinel', ts: Date.now() }] }),
    }),
  );
  await poll(() => shop.events('sentinel').length, 'sentinel stored').toBe(1);
}
