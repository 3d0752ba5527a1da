// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { createTracker, type WaybillEvent, type WireBatch } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { wireEvent } from '../../core/test/helpers';

const event = (n: number) => wireEvent(n);

let fetchMock: ReturnType<typeof vi.fn<(url: string, init: RequestInit) => Promise<Response>>>;
let beacon: ReturnType<typeof vi.fn<(url: string, body: unknown) => boolean>>;
const listeners: [string, EventListenerOrEventListenerObject][] = [];

beforeEach(() => {
  (globalThis as { indexedDB: unknown }).indexedDB = new IDBFactory();
  localStorage.clear();
  sessionStorage.clear();
  fetchMock = vi.fn(async () => new Response('{"accepted":1,"duplicates":0,"rejected":[]}', { status: 200 }));
  beacon = vi.fn(() => true);
  vi.stubGlobal('fetch', fetchMock);
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: beacon });
  // trackers have no destroy method: remove their page listeners after each test
  const add = globalThis.addEventListener.bind(globalThis);
  vi.spyOn(globalThis, 'addEventListener').mockImplementation((type: string, fn: EventListenerOrEventListenerObject) => {
    listeners.push([type, fn]);
    add(type, fn);
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  for (const [type, fn] of listeners.splice(0)) globalThis.removeEventListener(type, fn);
  delete (navigator as { sendBeacon?: unknown }).sendBeacon;
});

describe('firstParty', () => {
  it('is a destination named first-party, in the analytics category, kept in storage', () => {
    const d = firstParty({ endpoint: '/collect' });
    expect(d).toMatchObject({ name: 'first-party', category: 'analytics', persist: true });
    expect(typeof d.send).toBe('function');
  });

  it('takes another category', () => {
    expect(firstParty({ endpoint: '/collect', category: 'necessary' }).category).toBe('necessary');
  });

  it('POSTs batches to the endpoint as text/plain wire format v1 and reports ok', async () => {
    const d = firstParty({ endpoint: '/collect' });
    await expect(d.send([event(1), event(2)], false)).resolves.toBe('ok');
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/collect');
    expect(init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    const body = JSON.parse(init.body as string) as WireBatch;
    expect(body.v).toBe(1);
    expect(body.events.map((e) => e.id)).toEqual(['evt-1', 'evt-2']);
  });

  it('sends its headers on the fetch path', async () => {
    const d = firstParty({ endpoint: '/collect', headers: { Authorization: 'Bearer shop-key' } });
    await d.send([event(1)], false);
    expect(fetchMock.mock.calls[0][1].headers).toMatchObject({ Authorization: 'Bearer shop-key', 'Content-Type': 'text/plain;charset=UTF-8' });
  });

  it('uses sendBeacon on unload (no headers possible) and reports beacon', async () => {
    const d = firstParty({ endpoint: 'https://collect.example.com/collect', headers: { Authorization: 'Bearer shop-key' } });
    await expect(d.send([event(1)], true)).resolves.toBe('beacon');
    expect(beacon).toHaveBeenCalledWith('https://collect.example.com/collect', expect.any(String));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it.each([
    [503, 'retry'],
    [400, 'drop'],
  ])('maps HTTP %i to %s', async (status, result) => {
    fetchMock.mockResolvedValue(new Response('{"error":"x"}', { status }));
    await expect(firstParty({ endpoint: '/collect' }).send([event(1)], false)).resolves.toBe(result);
  });

  it('delivers tracked events through createTracker once analytics is granted', async () => {
    const t = createTracker({ destinations: [firstParty({ endpoint: '/collect' })] });
    const id = t.track('add_to_cart', { currency: 'USD', value: 30 });
    await t.flush();
    expect(fetchMock).not.toHaveBeenCalled();
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(fetchMock).toHaveBeenCalledOnce();
    const body = JSON.parse(fetchMock.mock.calls[0][1].body as string) as WireBatch;
    expect(body.events).toEqual([expect.objectContaining({ id, name: 'add_to_cart', props: { currency: 'USD', value: 30 } })]);
  });

  it('beacons waiting events to the endpoint when the page is left', () => {
    const t = createTracker({ destinations: [firstParty({ endpoint: '/collect' })], consent: { analytics: 'granted' } });
    const id = t.track('view_item');
    window.dispatchEvent(new Event('pagehide'));
    expect(beacon).toHaveBeenCalledOnce();
    expect(JSON.parse(beacon.mock.calls[0][1] as string).events[0].id).toBe(id);
  });

  it('asks the endpoint which stored events the collector holds, with its headers', async () => {
    fetchMock.mockResolvedValue(new Response('{"known":["evt-1"]}', { status: 200 }));
    const d = firstParty({ endpoint: '/collect', headers: { Authorization: 'Bearer shop-key' } });
    await expect(d.known!(['evt-1', 'evt-2'])).resolves.toEqual(['evt-1']);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/collect');
    expect(init.headers).toMatchObject({ Authorization: 'Bearer shop-key' });
    expect(JSON.parse(init.body as string)).toEqual({ v: 1, known: ['evt-1', 'evt-2'] });
  });

  it('without an endpoint, says so once in the console (debug or not), and sends nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = createTracker({ destinations: [firstParty({} as never)], consent: { analytics: 'granted' } });
    t.track('view_item');
    t.track('add_to_cart');
    await t.flush();
    expect(warn.mock.calls).toEqual([['[waybill] first-party: no endpoint, events go nowhere']]);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('firstParty: vendor cookies for server-side forwarding', () => {
  const ALL = { necessary: 'granted', analytics: 'granted', marketing: 'granted' } as const;
  /** An event asking the collector to forward to `forward`, collected under `consent`. */
  const asked = (forward: string[], consent: Record<string, 'granted' | 'denied' | 'pending'> = ALL): WaybillEvent => {
    const e = event(1);
    return { ...e, context: { ...e.context, forward, consent } };
  };
  /** What the collector got for the events, after the destination was told `now`. */
  const sent = async (events: WaybillEvent[], now: Record<string, 'granted' | 'denied' | 'pending'> = ALL) => {
    const d = firstParty({ endpoint: '/collect' });
    d.consent!(now);
    await d.send(events, false);
    return (JSON.parse(fetchMock.mock.calls[0]![1].body as string) as WireBatch).events;
  };

  beforeEach(() => {
    document.cookie = '_ttp=ttp.123; path=/';
    document.cookie = '_ga=GA1.1.555.1700000000; path=/';
  });
  afterEach(() => {
    for (const name of ['_ttp', '_ga']) document.cookie = name + '=; path=/; max-age=0';
  });

  it('adds _ttp and _ga to events forwarded to their vendor, with the consent each needs', async () => {
    const [both, tiktokOnly, ga4Only, none] = await sent([asked(['tiktok', 'ga4']), asked(['tiktok']), asked(['ga4']), event(2)]);
    expect(both!.context.vendorIds).toEqual({ ttp: 'ttp.123', ga: 'GA1.1.555.1700000000' });
    expect(tiktokOnly!.context.vendorIds).toEqual({ ttp: 'ttp.123' });
    expect(ga4Only!.context.vendorIds).toEqual({ ga: 'GA1.1.555.1700000000' });
    expect(none!.context).not.toHaveProperty('vendorIds');
  });

  it('reads no _ttp without marketing consent, when the event was collected or now', async () => {
    const analyticsOnly = { necessary: 'granted', analytics: 'granted', marketing: 'denied' } as const;
    const [atCollection] = await sent([asked(['tiktok', 'ga4'], analyticsOnly)]);
    expect(atCollection!.context.vendorIds).toEqual({ ga: 'GA1.1.555.1700000000' });
    fetchMock.mockClear();
    const [revokedSince] = await sent([asked(['tiktok'])], analyticsOnly);
    expect(revokedSince!.context).not.toHaveProperty('vendorIds');
  });

  it('adds nothing when the vendor scripts set no cookie, and leaves the queued event as it was', async () => {
    for (const name of ['_ttp', '_ga']) document.cookie = name + '=; path=/; max-age=0';
    const e = asked(['tiktok', 'ga4']);
    const [out] = await sent([e]);
    expect(out!.context).not.toHaveProperty('vendorIds');
    document.cookie = '_ttp=ttp.9; path=/';
    fetchMock.mockClear();
    await sent([e]);
    expect(e.context).not.toHaveProperty('vendorIds');
  });
});

