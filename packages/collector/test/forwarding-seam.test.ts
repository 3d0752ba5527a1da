// How forwarding plugs into the collector (`forward`): the route decides the outbox rows of each
// accepted event, the worker runs from creation to close, and its routes sit behind the admin token.
import { describe, expect, it } from 'vitest';
import { createCollector, type Forwarding, type Outbox } from '@waybill/collector';
import { batch, expectError, makeEvent, post, startCollector } from './helpers';

/** A forwarding plug-in that routes by consent, as the real one does, and exposes its outbox. */
function recordingForward() {
  const seen = { outbox: undefined as Outbox | undefined, started: 0, stopped: 0 };
  const forward: Forwarding = {
    route: (event) => {
      const consent = event.context?.consent ?? {};
      return [...(consent.marketing === 'granted' ? (['tiktok'] as const) : []), ...(consent.analytics === 'granted' ? (['ga4'] as const) : [])];
    },
    start(outbox) {
      seen.outbox = outbox;
      seen.started++;
      return async () => void seen.stopped++;
    },
    routes(app, outbox) {
      app.get('/forwarding', async (c) => c.json(await outbox.stats(Date.now())));
    },
  };
  return { forward, seen };
}

const consented = (consent: Record<string, string>) =>
  makeEvent({ context: { ...(makeEvent().context as object), consent: { necessary: 'granted', ...consent } } });

describe('forwarding seam', () => {
  it('writes the outbox rows the route gives for each accepted event, none for a duplicate, with the browser request', async () => {
    const { forward, seen } = recordingForward();
    const { url } = await startCollector({ forward });
    const both = consented({ analytics: 'granted', marketing: 'granted' });
    const analyticsOnly = consented({ analytics: 'granted', marketing: 'denied' });
    const res = await post(url, batch([both, analyticsOnly, both]), { 'User-Agent': 'Mozilla/5.0 (shopper)' });
    expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 1 });
    await post(url, batch([both]));
    const tiktok = await seen.outbox!.claim('tiktok', 10, Date.now(), 1000);
    expect(tiktok.map((r) => r.eventId)).toEqual([both.id]);
    expect(tiktok[0]!.meta).toMatchObject({ ip: '127.0.0.1', userAgent: 'Mozilla/5.0 (shopper)' });
    expect((await seen.outbox!.claim('ga4', 10, Date.now(), 1000)).map((r) => r.eventId)).toEqual([both.id, analyticsOnly.id]);
  });

  it('takes the address from X-Forwarded-For only with trustProxy', async () => {
    for (const trustProxy of [false, true]) {
      const { forward, seen } = recordingForward();
      const { url } = await startCollector({ forward, trustProxy });
      await post(url, batch([consented({ analytics: 'granted' })]), { 'X-Forwarded-For': '198.51.100.9, 10.0.0.1' });
      const [row] = await seen.outbox!.claim('ga4', 1, Date.now(), 1000);
      expect(row!.meta.ip).toBe(trustProxy ? '198.51.100.9' : '127.0.0.1');
    }
  });

  it('runs the worker from creation until close, and stops it before the database closes', async () => {
    const { forward, seen } = recordingForward();
    const collector = createCollector({ db: ':memory:', forward });
    expect(seen.started).toBe(1);
    await collector.close();
    await collector.close();
    expect(seen.stopped).toBe(1);
  });

  it("puts the plug-in's routes behind the admin token", async () => {
    const { forward } = recordingForward();
    const adminToken = 'test-admin-token-0123456789';
    const { url } = await startCollector({ forward, adminToken });
    await expectError(await fetch(`${url}/forwarding`), 401);
    const res = await fetch(`${url}/forwarding`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(await res.json()).toMatchObject({ tiktok: { pending: 0 }, ga4: { pending: 0 } });
  });

  it('refuses a forward option without a route', () => {
    expect(() => createCollector({ db: ':memory:', forward: {} as Forwarding })).toThrow(/^forward must have a route function/);
  });
});
