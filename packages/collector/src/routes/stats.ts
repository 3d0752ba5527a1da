// GET /v1/stats/...: what each dashboard chart draws, as JSON a shop's own tools can read too
// (admin token as a bearer header, or a signed-in dashboard's cookie). No CORS: read them from
// a server, or from the dashboard's own page.
import type { Hono, MiddlewareHandler } from 'hono';
import type { Alerts } from '../alerts/engine';
import type { Env } from '../env';
import { fail, reply } from '../reply';
import { rangeName } from '../stats/range';
import { consentStats, coverageStats, eventsStats, forwardingStats, fulfilmentStats, summaryStats, vitalsStats } from '../stats/stats';
import type { Store } from '../store/store';

/** What the stats routes need. */
export interface StatsDeps {
  store: Store;
  alerts: Alerts;
  guard: MiddlewareHandler<Env>;
}

export function statsRoutes(app: Hono<Env>, { store, alerts, guard }: StatsDeps): void {
  app.use('/v1/stats/*', guard);
  const ranged = (path: string, answer: (range: NonNullable<ReturnType<typeof rangeName>>, now: number) => Promise<unknown>) =>
    app.get(`/v1/stats/${path}`, async (c) => {
      const range = rangeName(c.req.query('range'));
      if (!range) return fail(c, 400, 'range must be one of 1h, 24h, 7d');
      return reply(c, 200, await answer(range, Date.now()));
    });
  ranged('summary', (range, now) => summaryStats(store, range, alerts.lateAfterDays, now));
  ranged('events', (range, now) => eventsStats(store, range, now));
  ranged('consent', (range, now) => consentStats(store, range, now));
  ranged('coverage', (range, now) => coverageStats(store, range, now));
  ranged('vitals', (range, now) => vitalsStats(store, range, now));
  app.get('/v1/stats/forwarding', async (c) => reply(c, 200, await forwardingStats(store, Date.now())));
  app.get('/v1/stats/fulfilment', async (c) => {
    const raw = c.req.query('days') || '30';
    const days = /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
    if (days < 1 || days > 366) return fail(c, 400, 'days must be a whole number from 1 to 366');
    return reply(c, 200, await fulfilmentStats(store, days, alerts.lateAfterDays, Date.now()));
  });
  app.get('/v1/stats/alerts', async (c) => reply(c, 200, await alerts.report()));
  app.all('/v1/stats/*', (c) => fail(c, c.req.method === 'GET' || c.req.method === 'HEAD' ? 404 : 405, c.req.method === 'GET' || c.req.method === 'HEAD' ? 'not found' : `${c.req.method} is not allowed on ${c.req.path}`));
}
