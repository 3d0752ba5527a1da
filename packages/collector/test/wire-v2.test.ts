// Wire format v2 at the collector: the SDK's own transport posts v2 batches to a real collector,
// and the same events posted whole in v1 to another one are stored in identical rows; v2 bodies
// that are wrong are refused as v1 ones are, naming the field.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sendBatch, type WaybillEvent } from '@waybill/core';
import { expectAlive, expectError, makeEvent, post, startCollector, stored, tempDir } from './helpers';

let made = 0;
/** An event with its fields in the order the SDK makes them (id, type, name, props, ts, context, then the visitor's ids). */
function sdkEvent(fields: { name?: string; props?: Record<string, unknown>; path?: string; user?: boolean; forward?: boolean } = {}): WaybillEvent {
  made += 1;
  const { name = 'add_to_cart', props = { currency: 'EUR', value: 30, items: [{ item_id: 'SKU1', price: 30, quantity: 1 }] }, path = '/p/1' } = fields;
  const e = {
    id: `0193a1b2-c3d4-7${String(made).padStart(3, '0')}-8abc-0123456789ab`,
    type: name == 'page' ? 'page' : 'track',
    name,
    props,
    ts: 1_764_650_000_000 + made,
    context: {
      page: { url: `https://shop.example${path}?utm_source=tiktok`, path, referrer: 'https://www.tiktok.com/', title: 'Linen shirt' },
      locale: 'de-DE',
      timezone: 'Europe/Berlin',
      screen: '1440x900',
      consent: { necessary: 'granted', analytics: 'granted', marketing: fields.forward ? 'granted' : 'denied' },
      library: { name: 'waybill', version: '0.1.0' },
      ...(fields.forward && { forward: ['tiktok'] }),
      campaign: { utm_source: 'tiktok', utm_campaign: 'summer' },
      clickIds: { ttclid: 'E.C.P.abc' },
      ...(fields.forward && { vendorIds: { ttp: '01HZX9Y8ABCDEF_TTP' } }),
    },
    anonymousId: '0193a1b2-0000-7000-8000-00000000aaaa',
    sessionId: '0193a1b2-0000-7000-8000-00000000bbbb',
    ...(fields.user && { userId: 'user-42', traits: { email: 'a'.repeat(64), plan: 'gold' } }),
  };
  return e as WaybillEvent;
}

/** Every stored row but the time it arrived, in id order. */
const rows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, type, name, ts, anonymous_id, session_id, user_id, event FROM events ORDER BY id').all();
  } finally {
    db.close();
  }
};

describe('POST /collect: wire format v2', () => {
  it('stores a v2 batch from the SDK in exactly the rows its v1 equivalent makes', async () => {
    const dir = tempDir();
    const [v1, v2] = [join(dir, 'v1.db'), join(dir, 'v2.db')];
    const events = [
      sdkEvent({ name: 'page', props: {} }),
      sdkEvent({ name: 'view_item' }),
      sdkEvent(),
      sdkEvent({ path: '/cart', name: 'view_cart' }),
      sdkEvent({ path: '/checkout', name: 'purchase', user: true, forward: true, props: { transaction_id: 'T-1', value: 55, currency: 'EUR' } }),
      sdkEvent({ path: '/checkout', name: 'page', user: true, props: {} }),
    ];
    const a = await startCollector({ db: v1 });
    const b = await startCollector({ db: v2 });
    const whole = await post(a.url, JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events }));
    expect(await whole.json()).toEqual({ accepted: 6, duplicates: 0, rejected: [] });
    await expect(sendBatch(`${b.url}/collect`, events, false)).resolves.toBe('ok');
    // A burst of carts: their leading props are shared too.
    const carts = [1, 2, 3].map((position) => sdkEvent({ props: { currency: 'EUR', value: 30, items: [{ item_id: 'SKU1' }], position } }));
    await post(a.url, JSON.stringify({ v: 1, events: carts }));
    await expect(sendBatch(`${b.url}/collect`, carts, false)).resolves.toBe('ok');
    events.push(...carts);
    expect(b.collector.stats()).toMatchObject({ accepted: 9, duplicates: 0, rejected: 0 });
    a.collector.close();
    b.collector.close();
    const stored = rows(v2);
    expect(stored).toHaveLength(9);
    expect(stored).toEqual(rows(v1));
    expect(stored.map((row) => (row as { event: string }).event)).toEqual(events.map((e) => JSON.stringify(e)).sort());
  });

  it('rebuilds each event from shared and its own fields, its own winning, context field by field', async () => {
    const { collector, url } = await startCollector();
    const shared = { type: 'track', name: 'view_item', anonymousId: 'anon-1', context: { locale: 'en-US', page: { url: 'https://shop.example/', path: '/', referrer: '', title: 'Shop' } } };
    const body = { v: 2, shared, events: [{ id: 'a-1', ts: 1 }, { id: 'a-2', ts: 2, name: 'add_to_cart', context: { locale: 'fr-FR', screen: '390x844' } }] };
    expect(await (await post(url, JSON.stringify(body))).json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const [second, first] = (await stored(collector)).map(({ receivedAt, ...e }) => e);
    expect(first).toEqual({ id: 'a-1', type: 'track', name: 'view_item', ts: 1, context: shared.context, anonymousId: 'anon-1' });
    expect(second).toEqual({ id: 'a-2', type: 'track', name: 'add_to_cart', ts: 2, context: { page: shared.context.page, locale: 'fr-FR', screen: '390x844' }, anonymousId: 'anon-1' });
    // The same ids again, whole in v1: duplicates, as for any copy.
    const again = await post(url, JSON.stringify({ v: 1, events: [{ id: 'a-1', type: 'track', name: 'x', ts: 1 }] }));
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
  });

  it('keeps a field named __proto__ a field when rebuilding', async () => {
    const { collector, url } = await startCollector();
    const body = '{"v":2,"shared":{"type":"track","name":"x","__proto__":{"a":1},"props":{"__proto__":{"b":2}},"context":{"__proto__":{"c":3}}},"events":[{"id":"p-1","ts":1,"props":{"d":4},"context":{"locale":"en"}}]}';
    expect(await (await post(url, body)).json()).toMatchObject({ accepted: 1 });
    const [{ receivedAt, ...event }] = (await stored(collector)) as unknown as [Record<string, unknown>];
    expect(JSON.stringify(event)).toBe('{"id":"p-1","type":"track","name":"x","props":{"__proto__":{"b":2},"d":4},"ts":1,"context":{"locale":"en","__proto__":{"c":3}},"__proto__":{"a":1}}');
  });

  it('refuses, by index and field, events that are not whole once rebuilt; the rest are stored', async () => {
    const { collector, url } = await startCollector();
    const body = { v: 2, shared: { type: 'track', name: 'view_item' }, events: [{ id: 'ok-1', ts: 5 }, { id: 'bad-1' }, { id: 'bad 2', ts: 5 }, 'not an event'] };
    const answer = await (await post(url, JSON.stringify(body))).json();
    expect(answer).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, error: 'ts must be a positive number (milliseconds since the epoch)' },
        { index: 2, error: 'id must be a string of 1-128 characters from A-Z a-z 0-9 _ . : -' },
        { index: 3, error: 'event must be an object' },
      ],
    });
    expect((await stored(collector)).map((e) => e.id)).toEqual(['ok-1']);
    // A bad shared field is every event's: each names it.
    const badConsent = { v: 2, shared: { context: { consent: { analytics: 'yes' } } }, events: [makeEvent(), makeEvent()].map(({ context, ...e }) => e) };
    const refused = await (await post(url, JSON.stringify(badConsent))).json();
    expect(refused.rejected).toEqual([0, 1].map((index) => ({ index, error: 'context.consent must be an object of consent states (granted, denied, pending) by category' })));
  });

  it.each([
    ['shared with an id', { v: 2, shared: { id: 'same' }, events: [] }, /^shared must be an object: the fields every event of the batch has, but id$/],
    ['shared that is not an object', { v: 2, shared: [], events: [] }, /^shared must be an object/],
    ['no events', { v: 2, shared: {} }, /^events must be an array of at most 500 events/],
    ['a version this collector does not know', { v: 3, events: [] }, /^unsupported wire format version 3: this collector accepts v 1 and v 2$/],
  ])('400 for a v2 body with %s', async (_, body, message) => {
    const { url } = await startCollector();
    await expectError(await post(url, JSON.stringify(body)), 400, message);
    await expectAlive(url);
  });

  it('413 for more than 500 events in v2 too', async () => {
    const { url } = await startCollector();
    const events = Array.from({ length: 501 }, (_, i) => ({ id: `e-${i}` }));
    await expectError(await post(url, JSON.stringify({ v: 2, shared: { type: 'track', name: 'x', ts: 1 }, events })), 413, /too many events in one batch: 501/);
  });
});
