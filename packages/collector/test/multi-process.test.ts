// Several `waybill-collector` processes on one PostgreSQL database, as behind a load balancer:
// ingest, and forwarding by all their workers over the one outbox.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { forwarding } from '@waybill/collector';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from '../../../e2e/stand-ins/vendor-apis.mjs';
import { openPostgresStore } from '../src/store/postgres';
import { run, useCli } from './cli-helpers';
import { storedEvent } from './forward/fixtures';
import { batch, makeEvent, post } from './helpers';
import { usePostgres, withPostgres } from './postgres';
import { storable } from './store-contract';

describe.skipIf(!withPostgres)('three collector processes on one PostgreSQL database', { timeout: 60_000 }, () => {
  useCli();
  const pg = usePostgres();

  /** Starts `n` collectors on `db` at once (they migrate the empty database together): their URLs, and a function that stops them. */
  async function collectors(db: string, n: number) {
    // One from DATABASE_URL, the others from --db: both ways are the same database.
    const clis = Array.from({ length: n }, (_, i) =>
      i === 0 ? run(['--port', '0', '--db-pool', '3'], {}, { DATABASE_URL: db }) : run(['--port', '0', '--db', db, '--db-pool', '3']),
    );
    const urls = await Promise.all(clis.map((cli) => cli.listening));
    const stop = async () => {
      for (const cli of clis) cli.child.kill('SIGTERM');
      return Promise.all(clis.map((cli) => cli.exit));
    };
    return { urls, clis, stop };
  }
  const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as { events: number };

  it('exit 1 naming the database, without its password, when it cannot be reached', async () => {
    const cli = run(['--port', '0', '--db', 'postgres://waybill:s3cret@127.0.0.1:9/shop']); // port 9: nothing there
    expect(await cli.exit).toBe(1);
    expect(cli.out.stderr).toMatch(/^waybill-collector: cannot use the database postgres:\/\/waybill:\*\*\*@127\.0\.0\.1:9\/shop: .*ECONNREFUSED/);
    expect(cli.out.stderr).not.toContain('s3cret');
  });

  it('store a batch posted to two of them at the same moment once; each counts and lists every event', async () => {
    const { urls, clis, stop } = await collectors(await pg.database(), 3);
    const [a, b, c] = urls as [string, string, string];
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      const events = Array.from({ length: 100 }, () => makeEvent());
      ids.push(...events.map((e) => e.id as string));
      const body = batch(events);
      const answers = await Promise.all([post(a, body), post(b, body)].map(async (res) => (await res).json()));
      expect(answers.reduce((sum, r) => sum + r.accepted, 0)).toBe(100);
      expect(answers.reduce((sum, r) => sum + r.duplicates, 0)).toBe(100);
      expect(await (await post(c, body)).json()).toEqual({ accepted: 0, duplicates: 100, rejected: [] });
    }
    for (const url of urls) expect((await health(url)).events).toBe(500);
    const listed: string[] = [];
    for (let next: string | null = ''; next !== null; ) {
      const page = (await (await fetch(`${c}/events?limit=120${next ? `&before=${next}` : ''}`)).json()) as { events: { id: string }[]; next: string | null };
      listed.push(...page.events.map((e) => e.id));
      next = page.next;
    }
    expect(listed.sort()).toEqual([...ids].sort());
    expect(await stop()).toEqual([0, 0, 0]);
    for (const cli of clis) expect(cli.out.stderr).toBe('');
  });

  describe('forwarding: every worker on the one outbox', () => {
    const PIXEL = 'CPIXEL0001';
    const TOKEN = 'tiktok-access-token';
    const GA4 = 'G-TEST0001';
    const SECRET = 'ga4-api-secret';
    const ADMIN = 'admin-token-0123456789';
    const BACKLOG = 1000;
    const admin = { headers: { Authorization: `Bearer ${ADMIN}` } };

    /** The vendors as one process sees them: its own stand-ins, so that the test knows who sent what. */
    interface Vendors {
      tiktok: EventsApi;
      ga4: MeasurementProtocol;
    }
    const vendors = async (): Promise<Vendors> => {
      const [tiktok, ga4] = await Promise.all([startEventsApi({ pixel: PIXEL, token: TOKEN }), startMeasurementProtocol({ measurementId: GA4, apiSecret: SECRET })]);
      onTestFinished(() => Promise.all([tiktok.close(), ga4.close()]).then(() => {}));
      return { tiktok, ga4 };
    };

    /**
     * A backlog of `n` purchases, each due to both vendors (2 × `n` outbox rows), stored as the
     * collector stores them (its own routing), before any worker runs. Ten browsers: GA4 takes one
     * client per request. Resolves their ids.
     */
    async function backlog(db: string, n: number): Promise<string[]> {
      const store = await openPostgresStore(db);
      const route = forwarding({ tiktok: { pixelCode: PIXEL, accessToken: TOKEN }, ga4: { measurementId: GA4, apiSecret: SECRET }, announce: false }).route;
      const events = Array.from({ length: n }, (_, i) => {
        const id = randomUUID();
        return storedEvent('purchase', { transaction_id: `T-${id}`, currency: 'USD', value: i + 1 }, { id, ts: Date.now(), anonymousId: `browser-${i % 10}` });
      });
      try {
        for (let i = 0; i < n; i += 100) await store.insert(storable(...(events.slice(i, i + 100) as unknown as Record<string, unknown>[])), { receivedAt: Date.now(), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' }, route);
      } finally {
        await store.close();
      }
      return events.map((e) => e.id);
    }

    /** `waybill-collector` on `db`, forwarding to `to`; a short request timeout makes a short lease (six timeouts). */
    const collector = (db: string, to: Vendors) =>
      run(
        [
          '--port', '0', '--db', db, '--db-pool', '3',
          '--tiktok-pixel', PIXEL, '--tiktok-api-url', to.tiktok.url,
          '--ga4-measurement-id', GA4, '--ga4-api-url', to.ga4.url,
          '--forward-timeout-ms', '5000', '--forward-retry-ms', '50',
        ],
        {},
        { WAYBILL_TIKTOK_ACCESS_TOKEN: TOKEN, WAYBILL_GA4_API_SECRET: SECRET, WAYBILL_ADMIN_TOKEN: ADMIN },
      );

    /** What every vendor stand-in took, together, per destination: event ids (GA4 has none: the order id stands for it). */
    const delivered = (all: Vendors[]) => ({
      tiktok: all.flatMap((v) => v.tiktok.events().map((e) => e.event_id)),
      ga4: all.flatMap((v) => v.ga4.events().map((e) => String(e.params.transaction_id).slice(2))),
    });
    /** Ids taken more than once, or never. */
    const exactlyOnce = (ids: string[], sent: string[]) => {
      const counts = new Map(ids.map((id) => [id, 0]));
      for (const id of sent) counts.set(id, (counts.get(id) ?? 0) + 1);
      return { twice: [...counts].filter(([, n]) => n > 1).map(([id]) => id), never: [...counts].filter(([, n]) => n === 0).map(([id]) => id), stray: sent.filter((id) => !ids.includes(id)) };
    };
    const report = async (url: string) => (await (await fetch(`${url}/forwarding`, admin)).json()) as Record<'tiktok' | 'ga4', Record<string, number>>;
    const drained = async (url: string) => {
      const { tiktok, ga4 } = await report(url);
      return [tiktok.sent, tiktok.pending, tiktok.dead, ga4.sent, ga4.pending, ga4.dead];
    };

    it('three workers drain a backlog of 1,000 events (2,000 outbox rows): each event reaches each vendor exactly once', async () => {
      const db = await pg.database();
      const ids = await backlog(db, BACKLOG);
      const all = await Promise.all([vendors(), vendors(), vendors()]);
      const clis = all.map((to) => collector(db, to));
      const urls = await Promise.all(clis.map((cli) => cli.listening));
      await expect.poll(() => drained(urls[0]!), { timeout: 60_000, interval: 200 }).toEqual([BACKLOG, 0, 0, BACKLOG, 0, 0]);
      const sent = delivered(all);
      expect(exactlyOnce(ids, sent.tiktok)).toEqual({ twice: [], never: [], stray: [] });
      expect(exactlyOnce(ids, sent.ga4)).toEqual({ twice: [], never: [], stray: [] });
      expect(all.flatMap((v) => [...v.tiktok.requests, ...v.ga4.requests]).flatMap((r) => r.problems)).toEqual([]);
      for (const cli of clis) cli.child.kill('SIGTERM');
      expect(await Promise.all(clis.map((cli) => cli.exit))).toEqual([0, 0, 0]);
      for (const cli of clis) expect(cli.out.stderr).toBe('');
    });

    it('one of the three killed (SIGKILL) mid-way with requests in flight, and started again: each event still reaches each vendor exactly once', { timeout: 120_000 }, async () => {
      const db = await pg.database();
      const ids = await backlog(db, BACKLOG);
      const all = await Promise.all([vendors(), vendors(), vendors()]);
      const [victim] = all as [Vendors, Vendors, Vendors];
      // Each process gets one answer per vendor, then its requests are held: all three are mid-way,
      // with rows marked sent and rows leased to requests in flight.
      const releases = all.flatMap((v) => [v.tiktok.hold({ after: 1 }), v.ga4.hold({ after: 1 })]);
      const clis = all.map((to) => collector(db, to));
      const urls = await Promise.all(clis.map((cli) => cli.listening));
      await expect.poll(() => all.flatMap((v) => [v.tiktok, v.ga4]).map((api) => [api.events().length > 0, api.held() > 0]), { timeout: 30_000 }).toEqual(Array(6).fill([true, true]));
      // Every answer given has been marked sent (what the kill may not undo), and nothing more is answered meanwhile.
      const sql = postgres(db, { max: 1, onnotice: () => {} });
      onTestFinished(() => sql.end({ timeout: 1 }));
      const sentRows = async () => Number((await sql`SELECT count(*) AS n FROM waybill.outbox WHERE state = 'sent'`)[0]!.n);
      const answered = () => Object.values(delivered(all)).flat().length;
      await expect.poll(sentRows, { timeout: 10_000 }).toBe(answered());
      const inFlight = Number((await sql`SELECT count(*) AS n FROM waybill.outbox WHERE state = 'pending' AND leased_until > ${Date.now()}`)[0]!.n);
      expect(inFlight, 'rows leased to requests in flight').toBeGreaterThan(0);

      const killed = clis[0]!;
      killed.child.kill('SIGKILL');
      expect(await killed.exit).toBe(null);
      // What it had in flight never got through: the kill cut it off.
      victim.tiktok.drop();
      victim.ga4.drop();
      for (const release of releases.slice(2)) release();

      // Started again (same vendors): the rows leased to the dead process go once their lease ends, to whichever worker claims them.
      const restarted = collector(db, victim);
      urls[0] = await restarted.listening;
      await expect.poll(() => drained(urls[1]!), { timeout: 90_000, interval: 250 }).toEqual([BACKLOG, 0, 0, BACKLOG, 0, 0]);
      const sent = delivered(all);
      expect(exactlyOnce(ids, sent.tiktok)).toEqual({ twice: [], never: [], stray: [] });
      expect(exactlyOnce(ids, sent.ga4)).toEqual({ twice: [], never: [], stray: [] });
      expect(all.flatMap((v) => [...v.tiktok.requests, ...v.ga4.requests]).flatMap((r) => r.problems)).toEqual([]);
      for (const cli of [restarted, ...clis.slice(1)]) cli.child.kill('SIGTERM');
      expect(await Promise.all([restarted, ...clis.slice(1)].map((cli) => cli.exit))).toEqual([0, 0, 0]);
    });
  });
});
