// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createTracker } from '@waybill/core';
import { UUID, UUID7, VERSION, fakeDestination, isolatePage, useFakeClock } from './helpers';

isolatePage();

const granted = { analytics: 'granted' } as const;

/** A granted tracker and its destination. */
const setup = (options: Parameters<typeof createTracker>[0] = {}) => {
  const d = fakeDestination();
  const t = createTracker({ destinations: [d], consent: granted, ...options });
  return { d, t };
};

describe('the event envelope', () => {
  it('has a time-ordered UUIDv7 id, which track returns', async () => {
    const { d, t } = setup();
    const id = t.track('view_item');
    await t.flush();
    expect(id).toMatch(UUID7);
    expect(d.sent()[0].id).toBe(id);
    // The first 48 bits are the event's time in ms.
    expect(parseInt(id!.replace('-', '').slice(0, 12), 16)).toBe(d.sent()[0].ts);
  });

  it('gives ids that sort in the order of their time', async () => {
    useFakeClock();
    const { t } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(t.track('view_item')!), vi.advanceTimersByTime(1 + i * 997);
    expect([...ids].sort()).toEqual(ids);
  });

  it('makes ids without crypto.randomUUID, which plain-http pages on a LAN do not have', async () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, 'randomUUID', { configurable: true, value: undefined });
    try {
      const { d, t } = setup();
      expect(t.track('view_item')).toMatch(UUID7);
      await t.flush();
      expect(d.sent()[0]).toMatchObject({ anonymousId: expect.stringMatching(UUID), sessionId: expect.stringMatching(UUID) });
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { configurable: true, value: randomUUID });
    }
  });

  it('gives every event its own id', async () => {
    const { d, t } = setup();
    t.track('a');
    t.track('a');
    t.page();
    await t.flush();
    expect(new Set(d.sent().map((e) => e.id)).size).toBe(3);
  });

  it('records type, name, props and the time of the call', async () => {
    useFakeClock(Date.UTC(2025, 5, 1, 8, 30));
    const { d, t } = setup();
    t.track('add_to_cart', { currency: 'USD', value: 30, items: [{ item_id: 'SKU1', quantity: 1 }] });
    await t.flush();
    expect(d.sent()[0]).toMatchObject({
      type: 'track',
      name: 'add_to_cart',
      props: { currency: 'USD', value: 30, items: [{ item_id: 'SKU1', quantity: 1 }] },
      ts: Date.UTC(2025, 5, 1, 8, 30),
    });
  });

  it('records page() as a page_view of type page', async () => {
    const { d, t } = setup();
    const id = t.page({ section: 'shoes' });
    await t.flush();
    expect(d.sent()[0]).toMatchObject({ id, type: 'page', name: 'page_view', props: { section: 'shoes' } });
  });

  it('copies props, so later changes by the shop do not reach the event', async () => {
    const { d, t } = setup();
    const props = { value: 1, items: [{ item_id: 'A' }] };
    t.track('view_item', props);
    props.value = 2;
    props.items[0].item_id = 'B';
    await t.flush();
    expect(d.sent()[0].props).toEqual({ value: 1, items: [{ item_id: 'A' }] });
  });

  it('sends {} as props when none are given', async () => {
    const { d, t } = setup();
    t.track('view_cart');
    await t.flush();
    expect(d.sent()[0].props).toEqual({});
  });

  it('carries the page, locale, timezone, screen, consent and library', async () => {
    history.replaceState(null, '', '/products/tee?color=red');
    document.title = 'Tee';
    const { d, t } = setup();
    t.track('view_item');
    await t.flush();
    expect(d.sent()[0].context).toEqual({
      page: { url: location.origin + '/products/tee?color=red', path: '/products/tee', referrer: document.referrer, title: 'Tee' },
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: `${screen.width}x${screen.height}`,
      campaign: {},
      clickIds: {},
      consent: { necessary: 'granted', analytics: 'granted', marketing: 'pending' },
      library: { name: 'waybill', version: VERSION },
    });
  });

  it('reads the page context when the event is created (single-page apps)', async () => {
    const { d, t } = setup();
    history.replaceState(null, '', '/a');
    t.page();
    history.replaceState(null, '', '/b');
    t.page();
    await t.flush();
    expect(d.sent().map((e) => e.context.page.path)).toEqual(['/a', '/b']);
  });

  it('snapshots the consent at the time of the event', async () => {
    const { d, t } = setup();
    t.track('before');
    t.consent.update({ marketing: 'denied' });
    t.track('after');
    await t.flush();
    expect(d.sent().map((e) => e.context.consent.marketing)).toEqual(['pending', 'denied']);
  });

  it('lists the destinations that ask the collector to forward, and nothing when none do', async () => {
    const d = fakeDestination();
    const vendor = (name: string, forward?: string) => ({ name, category: 'marketing', forward, send: () => {} });
    const t = createTracker({ destinations: [d, vendor('a'), vendor('b', 'tiktok')], consent: granted });
    t.track('one');
    t.use(vendor('c', 'ga4'));
    t.use(vendor('d', 'tiktok'));
    t.track('two');
    await t.flush();
    expect(d.sent().map((e) => e.context.forward)).toEqual([['tiktok'], ['tiktok', 'ga4', 'tiktok']]);

    const plain = setup();
    plain.t.track('three');
    await plain.t.flush();
    expect(plain.d.sent()[0]!.context).not.toHaveProperty('forward');
  });
});

describe('campaign and click ids', () => {
  it('captures utm_* parameters and ttclid, gclid, fbclid from the landing URL', async () => {
    history.replaceState(null, '', '/?utm_source=tiktok&utm_medium=paid&utm_campaign=spring&ttclid=T1&gclid=G1&fbclid=F1&color=red');
    const { d, t } = setup();
    t.page();
    await t.flush();
    const { campaign, clickIds } = d.sent()[0].context;
    expect(campaign).toEqual({ utm_source: 'tiktok', utm_medium: 'paid', utm_campaign: 'spring' });
    expect(clickIds).toEqual({ ttclid: 'T1', gclid: 'G1', fbclid: 'F1' });
  });

  it('matches parameter names case-insensitively', async () => {
    history.replaceState(null, '', '/?UTM_Source=news&GCLID=G2');
    const { d, t } = setup();
    t.page();
    await t.flush();
    expect(d.sent()[0].context).toMatchObject({ campaign: { utm_source: 'news' }, clickIds: { gclid: 'G2' } });
  });

  it('keeps the landing campaign on later pages of a single-page app', async () => {
    history.replaceState(null, '', '/?utm_source=tiktok&ttclid=T1');
    const { d, t } = setup();
    history.replaceState(null, '', '/checkout');
    t.track('begin_checkout');
    await t.flush();
    expect(d.sent()[0].context).toMatchObject({ campaign: { utm_source: 'tiktok' }, clickIds: { ttclid: 'T1' } });
  });

  it('gives a session that starts later in a single-page app the campaign of the URL it starts on', async () => {
    useFakeClock();
    history.replaceState(null, '', '/?utm_source=tiktok&ttclid=T1');
    const { d, t } = setup();
    t.track('a');
    vi.setSystemTime(Date.now() + 31 * 60_000);
    history.replaceState(null, '', '/sale?utm_source=newsletter');
    t.track('b');
    vi.setSystemTime(Date.now() + 31 * 60_000);
    history.replaceState(null, '', '/cart');
    t.track('c');
    await t.flush();
    expect(d.sent().map((e) => [e.context.campaign, e.context.clickIds])).toEqual([
      [{ utm_source: 'tiktok' }, { ttclid: 'T1' }],
      [{ utm_source: 'newsletter' }, {}],
      [{}, {}],
    ]);
  });

  it('keeps the landing campaign for the session on the next page load (with analytics consent)', async () => {
    history.replaceState(null, '', '/?utm_source=tiktok');
    setup();
    history.replaceState(null, '', '/cart');
    const { d, t } = setup();
    t.page();
    await t.flush();
    expect(d.sent()[0].context.campaign).toEqual({ utm_source: 'tiktok' });
  });
});

describe('ids', () => {
  it('keeps anonymousId and sessionId stable within a session', async () => {
    const { d, t } = setup();
    t.page();
    t.track('view_item');
    await t.flush();
    const [a, b] = d.sent();
    expect(a.anonymousId).toMatch(UUID);
    expect(a.sessionId).toMatch(UUID);
    expect(b.anonymousId).toBe(a.anonymousId);
    expect(b.sessionId).toBe(a.sessionId);
  });

  it('starts a new session after 30 minutes idle, keeping the anonymous id', async () => {
    useFakeClock();
    const { d, t } = setup();
    t.track('a');
    vi.setSystemTime(Date.now() + 30 * 60_000 + 1);
    t.track('b');
    await t.flush();
    const [a, b] = d.sent();
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(b.anonymousId).toBe(a.anonymousId);
  });

  it('keeps the session while the shopper is active (the 30 minutes restart with each event)', async () => {
    useFakeClock();
    const { d, t } = setup();
    for (let i = 0; i < 4; i++) {
      t.track('e' + i);
      vi.setSystemTime(Date.now() + 29 * 60_000);
    }
    await t.flush();
    expect(new Set(d.sent().map((e) => e.sessionId)).size).toBe(1);
  });

  it('uses the sessionTimeout option', async () => {
    useFakeClock();
    const { d, t } = setup({ sessionTimeout: 60_000 });
    t.track('a');
    vi.setSystemTime(Date.now() + 60_001);
    t.track('b');
    await t.flush();
    expect(d.sent()[1].sessionId).not.toBe(d.sent()[0].sessionId);
  });

  it('keeps ids in memory only before consent, and still stable', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('a');
    t.track('b');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.sent()[1].anonymousId).toBe(d.sent()[0].anonymousId);
    expect(d.sent()[1].sessionId).toBe(d.sent()[0].sessionId);
  });

  it('keeps anonymousId and sessionId when another category changes while analytics is denied', async () => {
    const d = fakeDestination({ category: 'necessary' });
    const t = createTracker({ destinations: [d], consent: { analytics: 'denied' } });
    t.track('a');
    t.consent.update({ marketing: 'granted' });
    t.track('b');
    await t.flush();
    const [a, b] = d.sent();
    expect(b.anonymousId).toBe(a.anonymousId);
    expect(b.sessionId).toBe(a.sessionId);
  });

  it('gives a new anonymous id after analytics is revoked', async () => {
    const { d, t } = setup();
    t.track('a');
    await t.flush();
    t.consent.update({ analytics: 'denied' });
    t.consent.update({ analytics: 'granted' });
    t.track('b');
    await t.flush();
    expect(d.sent()[1].anonymousId).not.toBe(d.sent()[0].anonymousId);
  });
});

describe("the caller's own id", () => {
  it('uses { id } as the event id and returns it', async () => {
    const { d, t } = setup();
    const id = t.track('purchase', { transaction_id: '1001' }, { id: 'purchase-1001' });
    await t.flush();
    expect(id).toBe('purchase-1001');
    expect(d.sent()[0].id).toBe('purchase-1001');
  });

  it('accepts { id } on page() too', async () => {
    const { d, t } = setup();
    expect(t.page({}, { id: 'pv:home.1' })).toBe('pv:home.1');
    await t.flush();
    expect(d.sent()[0].id).toBe('pv:home.1');
  });

  it.each([
    ['with spaces', 'purchase 1001'],
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with a slash', 'a/b'],
    ['unicode', 'kauf-ü'],
  ])('replaces a bad id (%s) with a uuid and still records the event', async (_, bad) => {
    const { d, t } = setup();
    const id = t.track('view_item', {}, { id: bad });
    await t.flush();
    expect(id).toMatch(UUID7);
    expect(d.sent()[0].id).toBe(id);
  });

  it.each([
    ['a number', 42],
    ['a boolean', true],
    ['an array', ['abc']],
  ])('replaces a non-string id (%s) with a uuid', async (_, bad) => {
    const { d, t } = setup();
    const id = t.track('view_item', {}, { id: bad as never });
    await t.flush();
    expect(id).toMatch(UUID7);
    expect(d.sent()[0].id).toBe(id);
  });
});
