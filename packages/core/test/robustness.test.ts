// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Tracker, TrackerOptions } from '@waybill/core';
import { fakeDestination, isolatePage, leavePage, settle, type FakeDestination } from './helpers';

isolatePage();

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
const throwing = new Proxy(
  {},
  {
    get() {
      throw new Error('trap');
    },
    ownKeys() {
      throw new Error('trap');
    },
    has() {
      throw new Error('trap');
    },
  },
);
const megabyte = 'x'.repeat(1 << 20);

/** Values a broken shop script might pass anywhere. */
const BAD: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['NaN', NaN],
  ['an empty string', ''],
  ['a 1 MB string', megabyte],
  ['a circular object', circular],
  ['a function', () => 'x'],
  ['a symbol', Symbol('s')],
  ['a bigint', 10n],
  ['an array', [1, 2]],
  ['an object with a throwing getter', { get boom() { throw new Error('getter'); } }],
  ['a proxy that throws on every access', throwing],
  ['an object holding a 1 MB string', { text: megabyte }],
  ['an object holding a bigint', { n: 10n }],
];

/** Props that must be refused (undefined and null just mean "none"). */
const BAD_PROPS = BAD.filter(([, v]) => v != null);

let console$: Record<'warn' | 'log' | 'error', MockInstance<typeof console.warn>>;
let createTracker: (options?: TrackerOptions) => Tracker;

beforeEach(async () => {
  console$ = {
    warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
    log: vi.spyOn(console, 'log').mockImplementation(() => {}),
    error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  };
  // A fresh module per test: the debug logger prints each warning once per page.
  vi.resetModules();
  ({ createTracker } = await import('@waybill/core'));
});

/** Call every public method with `value` in every argument position. */
function abuse(t: Tracker, value: unknown) {
  const v = value as never;
  // Loosely typed on purpose: this is what untyped (script-tag) callers can pass.
  const track = t.track as (...args: unknown[]) => string | undefined;
  const results = [
    track(v),
    track(v, v),
    track(v, v, v),
    track('ok_name', v),
    track('ok_name', {}, v),
    t.page(v),
    t.page(v, v),
    t.page({}, v),
  ];
  t.identify(v);
  t.identify(v, v);
  t.identify('user-1', v);
  t.consent.update(v);
  t.consent.update({ analytics: v });
  t.consent.on(v);
  t.use(v);
  t.use({ name: v, category: v, send: v });
  return results;
}

describe('bad input', () => {
  it.each(BAD)('never throws from any public method (%s)', async (_, value) => {
    const t = createTracker({ destinations: [fakeDestination()], debug: true });
    expect(() => abuse(t, value)).not.toThrow();
    await expect(t.flush()).resolves.toBeUndefined();
  });

  it.each(BAD.filter(([, v]) => typeof v != 'string' || v === ''))('drops track() with a bad name (%s) and returns undefined', (_, value) => {
    const t = createTracker({ destinations: [fakeDestination()] });
    expect((t.track as (...a: unknown[]) => unknown)(value)).toBeUndefined();
  });

  it('drops track() with a name over 128 characters', () => {
    const t = createTracker({ destinations: [fakeDestination()] });
    expect(t.track('n'.repeat(129))).toBeUndefined();
    expect(t.track(megabyte)).toBeUndefined();
  });

  it.each(BAD_PROPS)('drops track() and page() with bad props (%s) and returns undefined', (_, value) => {
    const t = createTracker({ destinations: [fakeDestination()] });
    expect(t.track('view_item', value as never)).toBeUndefined();
    expect(t.page(value as never)).toBeUndefined();
  });

  it('accepts missing props (undefined or null)', () => {
    const t = createTracker({ destinations: [fakeDestination()] });
    expect(t.track('view_item', undefined)).toEqual(expect.any(String));
    expect(t.track('view_item', null as never)).toEqual(expect.any(String));
    expect(t.page(null as never)).toEqual(expect.any(String));
  });

  it('drops functions inside props, as JSON does, and keeps the rest', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.track('view_item', { value: 1, callback: () => 1 });
    await t.flush();
    expect(d.sent()[0].props).toEqual({ value: 1 });
  });

  it('drops props that are not a plain object once serialised (a Date)', () => {
    const t = createTracker({ destinations: [fakeDestination()] });
    expect(t.track('view_item', new Date() as never)).toBeUndefined();
  });

  it('keeps events queued before the bad calls and still takes good calls after them', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('before');
    for (const [, value] of BAD) abuse(t, value);
    t.track('after');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    const names = d.names();
    expect(names[0]).toBe('before');
    expect(names.at(-1)).toBe('after');
    expect(names.filter((n) => n != 'ok_name' && n != 'page_view' && n != 'identify')).toEqual(['before', 'after']);
  });

  it('keeps identify working after a bad identify', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.identify(42 as never, { email: 'a@example.com' });
    t.identify('user-1', circular);
    t.identify('user-2', { email: 'b@example.com' });
    t.track('after');
    await t.flush();
    expect(d.names()).toEqual(['identify', 'after']);
    expect(d.sent()[1].userId).toBe('user-2');
  });

  it('ignores a consent update with an invalid state and keeps the valid ones of the same call', () => {
    const t = createTracker();
    t.consent.update({ analytics: 'granted', marketing: 'maybe' as never });
    expect(t.consent.get()).toMatchObject({ analytics: 'granted', marketing: 'pending' });
  });

  it('rejects a destination without name, category or send, and keeps the good ones', async () => {
    const good = fakeDestination();
    const t = createTracker({ destinations: [{} as never, { name: 'x', category: 'analytics' } as never, good], consent: { analytics: 'granted' } });
    t.track('view_item');
    await t.flush();
    expect(good.names()).toEqual(['view_item']);
  });

  it('survives a destination whose init, consent and send throw', async () => {
    const bad: FakeDestination = {
      ...fakeDestination({ name: 'bad', replies: [new Error('send')] }),
      init: () => {
        throw new Error('init');
      },
      consent: () => {
        throw new Error('consent');
      },
    };
    const good = fakeDestination({ name: 'good' });
    const t = createTracker({ destinations: [bad, good] });
    t.track('view_item');
    expect(() => t.consent.update({ analytics: 'granted' })).not.toThrow();
    await expect(t.flush()).resolves.toBeUndefined();
    expect(() => leavePage()).not.toThrow();
    expect(good.names()).toEqual(['view_item']);
  });

  it('survives createTracker with bad options', () => {
    for (const [, value] of BAD) {
      const t = createTracker(value as never);
      expect(() => t.track('view_item')).not.toThrow();
    }
  });
});

describe('debug warnings', () => {
  it('prints nothing at all without debug', async () => {
    const t = createTracker({ destinations: [fakeDestination({ replies: ['drop'] })], consent: { analytics: 'granted' } });
    for (const [, value] of BAD) abuse(t, value);
    t.track('view_item');
    await t.flush();
    expect(console$.warn).not.toHaveBeenCalled();
    expect(console$.log).not.toHaveBeenCalled();
    expect(console$.error).not.toHaveBeenCalled();
  });

  it.each([
    ['a non-string event name', (t: Tracker) => (t.track as (...a: unknown[]) => unknown)(42)],
    ['circular props', (t: Tracker) => t.track('view_item', circular)],
    ['oversized props', (t: Tracker) => t.track('view_item', { text: megabyte })],
    ['props that are not an object', (t: Tracker) => t.page('home' as never)],
    ['a bad user id', (t: Tracker) => t.identify(42 as never)],
    ['a bad consent update', (t: Tracker) => t.consent.update('granted' as never)],
    ['a bad destination', (t: Tracker) => t.use({} as never)],
    ['a bad event id', (t: Tracker) => t.track('view_item', {}, { id: 'has space' })],
    ['a consent listener that is not a function', (t: Tracker) => t.consent.on(5 as never)],
  ])('warns about %s with debug on', (_, call) => {
    const t = createTracker({ debug: true });
    call(t);
    expect(console$.warn).toHaveBeenCalledWith(expect.stringMatching(/^\[waybill\] /), expect.anything());
  });

  it('takes no listener that is not a function, so later consent changes do not warn', () => {
    const t = createTracker({ debug: true });
    const off = t.consent.on(5 as never);
    expect(off).toEqual(expect.any(Function));
    console$.warn.mockClear();
    t.consent.update({ analytics: 'granted' });
    expect(console$.warn).not.toHaveBeenCalled();
  });

  it('says, debug or not, why the tracker does nothing where it cannot run (no crypto.getRandomValues)', () => {
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(() => {
      throw new TypeError('crypto.getRandomValues is not a function');
    });
    const t = createTracker();
    expect(t.track('view_item')).toBeUndefined();
    expect(console$.warn).toHaveBeenCalledWith('[waybill] disabled:', expect.any(TypeError));
  });

  it('says once, debug or not, that email and phone are left out where hashing needs a secure context', async () => {
    const subtle = crypto.subtle;
    Object.defineProperty(crypto, 'subtle', { configurable: true, value: undefined });
    try {
      const d = fakeDestination();
      const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
      t.identify('user-42', { email: 'a@example.com', phone: '+1 555 010 9999', plan: 'gold' });
      t.identify('user-42', { email: 'b@example.com' });
      await t.flush();
      expect(console$.warn.mock.calls).toEqual([
        ['[waybill] identify: email and phone are left out: hashing them needs https (or localhost)'],
      ]);
      expect(d.sent().map((e) => [e.name, e.userId, e.traits])).toEqual([
        ['identify', 'user-42', { plan: 'gold' }],
        ['identify', 'user-42', { plan: 'gold' }],
      ]);
    } finally {
      Object.defineProperty(crypto, 'subtle', { configurable: true, value: subtle });
    }
  });

  it('says once, even without debug, that it drops events because too many wait to be sent', async () => {
    const stuck = fakeDestination({ replies: [() => new Promise(() => {})] });
    const t = createTracker({ destinations: [stuck], consent: { analytics: 'granted' }, storage: { maxEvents: 5 } });
    for (let i = 0; i < 20; i++) t.track('e' + i);
    expect(console$.warn).toHaveBeenCalledOnce();
    expect(console$.warn.mock.calls[0]![0]).toBe('[waybill] fake: 5 events are waiting to be sent; dropping the oldest');
  });

  it("warns when a batch is answered 'drop' (debug on)", async () => {
    const t = createTracker({ destinations: [fakeDestination({ replies: ['drop'] })], consent: { analytics: 'granted' }, debug: true });
    t.track('view_item');
    await t.flush();
    expect(console$.warn).toHaveBeenCalledWith(expect.stringContaining('dropped'), expect.anything());
  });

  it('logs each event as it is queued and as it is sent (debug on)', async () => {
    const t = createTracker({ destinations: [fakeDestination()], consent: { analytics: 'granted' }, debug: true });
    t.track('view_item');
    await t.flush();
    const lines = console$.log.mock.calls.map((c) => String(c[0]));
    expect(lines.some((l) => l.includes('queued') && l.includes('view_item'))).toBe(true);
    expect(lines.some((l) => l.includes('sent'))).toBe(true);
  });
});

describe('storage failures', () => {
  it('keeps delivering when localStorage and sessionStorage throw (blocked storage)', async () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    const d = fakeDestination({ persist: true });
    const t = createTracker({ destinations: [d] });
    t.track('view_item');
    expect(() => t.consent.update({ analytics: 'granted' })).not.toThrow();
    await t.flush();
    expect(d.names()).toEqual(['view_item']);
  });

  it('keeps delivering when IndexedDB fails asynchronously (private mode, quota)', async () => {
    /** Requests that fail (or, for deletion, succeed) a turn later, as IndexedDB does. */
    const request = (outcome: 'onerror' | 'onsuccess') => {
      const r: { result?: unknown; error?: unknown; onerror?: () => void; onsuccess?: () => void } = { error: new DOMException('no', 'InvalidStateError') };
      setImmediate(() => r[outcome]?.());
      return r;
    };
    const failing = { open: () => request('onerror'), deleteDatabase: () => request('onsuccess') };
    (globalThis as { indexedDB: unknown }).indexedDB = failing;
    const d = fakeDestination({ persist: true });
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.track('view_item');
    await settle();
    await t.flush();
    expect(d.names()).toEqual(['view_item']);
  });

  it('keeps delivering when indexedDB.open throws synchronously (cookies blocked)', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    (globalThis as { indexedDB: unknown }).indexedDB = { open: blocked, deleteDatabase: blocked, databases: blocked };
    const d = fakeDestination({ persist: true });
    const t = createTracker({ destinations: [d] });
    t.track('waiting');
    t.consent.update({ analytics: 'granted' });
    const id = t.track('view_item');
    await t.flush();
    expect(id).toEqual(expect.any(String));
    expect(d.names()).toEqual(['waiting', 'view_item']);
  });
});

describe('storage failures on revoke', () => {
  it('raises no unhandled rejection when deleteDatabase throws (cookies blocked)', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    (globalThis as { indexedDB: unknown }).indexedDB = { open: blocked, deleteDatabase: blocked };
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      createTracker({ consent: { analytics: 'denied' } });
      await settle();
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });
});
