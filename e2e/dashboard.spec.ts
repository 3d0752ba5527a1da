// The collector's dashboard in Chromium, over a database seeded with the demo's traffic: the
// sign-in, every chart drawn (a canvas with the series' colours in it), the summary cards equal
// to what the database holds (counted from the raw events, not from the rollups the page reads),
// live updates, and a screenshot kept as a test artefact.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Collector, Forwarding, Outbox } from '@waybill/collector';
import { ROOT } from './server';

const Database = createRequire(join(ROOT, 'packages/collector/package.json'))('better-sqlite3') as typeof import('better-sqlite3');
const TOKEN = 'dashboard-e2e-token-0123456789';
const DAY = 86_400_000;

/** A collector on a file, seeded with two days of the demo, its outbox partly forwarded, its alerts evaluated. */
async function seeded() {
  const { createCollector } = (await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href)) as typeof import('@waybill/collector');
  const { loadDemoData, DEMO_ALERTS } = await import(pathToFileURL(join(ROOT, 'examples/demo-data.mjs')).href);
  const dir = mkdtempSync(join(tmpdir(), 'waybill-dashboard-'));
  const db = join(dir, 'dashboard.db');
  let outbox: Outbox | undefined;
  // Forwarding by consent, as the real plug-in routes; its "worker" is this test, below.
  const forward: Forwarding = {
    route: (e) => {
      const consent = (e.context?.consent ?? {}) as Record<string, string>;
      return [...(consent.marketing === 'granted' ? (['tiktok'] as const) : []), ...(consent.analytics === 'granted' ? (['ga4'] as const) : [])];
    },
    start: (o) => ((outbox = o), async () => {}),
  };
  const collector: Collector = createCollector({ db, adminToken: TOKEN, forward, alerts: DEMO_ALERTS });
  await loadDemoData(collector); // the demo's own week
  const now = Date.now();
  for (const destination of ['tiktok', 'ga4'] as const) {
    const rows = await outbox!.claim(destination, 100_000, now, 60_000);
    const dead = destination === 'ga4' ? rows.slice(0, 3) : [];
    const failed = rows.slice(3, 8);
    await outbox!.sent(rows.slice(8, -40).map((r) => r.key), now);
    await outbox!.failed(failed.map((r) => r.key), '503 from the vendor', now + 60_000);
    await outbox!.dead(dead.map((r) => r.key), '400 from GA4: invalid currency');
  }
  await collector.alerts.evaluate();
  const url = await collector.listen(0, '127.0.0.1');
  return { collector, url, db, close: async () => (await collector.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** The summary cards' numbers, counted from the raw tables (events as stored, the outbox, alert states). */
function fromDatabase(file: string, from: number, now: number) {
  const db = new Database(file, { readonly: true });
  try {
    const one = (sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;
    const tx = "json_extract(event, '$.props.transaction_id')";
    const server = "json_extract(event, '$.source') = 'server'";
    const orders = one(`SELECT count(*) FROM events WHERE name = 'order_created' AND ${server} AND ts >= ? AND coalesce(json_extract(event, '$.props.channel'), 'web') = 'web'`, from);
    const untracked = one(
      `SELECT count(*) FROM events o WHERE o.name = 'order_created' AND ${server} AND o.ts >= ? AND coalesce(json_extract(o.event, '$.props.channel'), 'web') = 'web'
       AND NOT EXISTS (SELECT 1 FROM events p WHERE p.name = 'purchase' AND json_extract(p.event, '$.source') IS NULL AND CAST(json_extract(p.event, '$.props.transaction_id') AS TEXT) = json_extract(o.event, '$.props.transaction_id'))`,
      from,
    );
    const finished = (name: string) => `SELECT 1 FROM events d WHERE d.name = '${name}' AND json_extract(d.event, '$.props.transaction_id') = json_extract(s.event, '$.props.transaction_id')`;
    return {
      Events: one('SELECT count(*) FROM events WHERE received_at >= ?', from),
      'Browser purchases': one(`SELECT count(DISTINCT ${tx}) FROM events WHERE name = 'purchase' AND json_extract(event, '$.source') IS NULL AND ts >= ?`, from),
      'Orders (backend)': orders,
      'Tracking coverage': orders === 0 ? null : Math.round((1000 * (orders - untracked)) / orders) / 10,
      'Untracked orders': untracked,
      'Forwarding pending': one("SELECT count(*) FROM outbox WHERE state = 'pending'"),
      'Dead letters': one("SELECT count(*) FROM outbox WHERE state = 'dead'"),
      'Late deliveries': one(
        `SELECT count(*) FROM events s WHERE s.name = 'order_shipped' AND s.ts < ? AND NOT EXISTS (${finished('order_delivered')}) AND NOT EXISTS (${finished('return_requested')}) AND NOT EXISTS (${finished('refund')})`,
        now - 5 * DAY,
      ),
      'Alerts firing': one('SELECT count(*) FROM alerts WHERE firing = 1'),
    };
  } finally {
    db.close();
  }
}

/** How many pixels of each canvas in `selector` have a saturated colour (the series; axes and grid are grey). */
const colouredPixels = (selector: string) => `[...document.querySelectorAll(${JSON.stringify(`${selector} canvas`)})].map((canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) n++;
  return n;
})`;

test('the dashboard: sign in, every chart drawn, the cards equal the database, live updates', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const site = await seeded();
  try {
    await page.setViewportSize({ width: 1400, height: 1000 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    // The data needs the token: a sign-in page first, and the API refuses an anonymous read.
    expect((await page.request.get(`${site.url}/v1/stats/summary`)).status()).toBe(401);
    await page.goto(`${site.url}/dashboard`);
    await page.getByLabel('Admin token').fill('not the token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong token.');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('body[data-loaded]')).toBeAttached();
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'waybill_dashboard');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookie!.value).not.toContain(TOKEN);

    // Every chart: a canvas with the series drawn in it.
    const charts = ['#chart-events', '#chart-coverage', '#chart-forwarding', '#chart-consent-analytics', '#chart-consent-marketing', '#chart-vital-LCP', '#chart-vital-INP', '#chart-vital-CLS', '#chart-vital-FCP', '#chart-vital-TTFB', '#chart-states', '#chart-timing'];
    for (const chart of charts) {
      await expect(page.locator(`${chart} canvas`)).toHaveCount(1);
      await expect.poll(async () => (await page.evaluate<number[]>(colouredPixels(chart)))[0], { message: chart }).toBeGreaterThan(50);
    }

    // The cards, as the page shows them, equal what the database holds over the same window.
    const summary = (await (await page.request.get(`${site.url}/v1/stats/summary?range=24h`)).json()) as { from: number; to: number };
    const shown = Object.fromEntries(
      await page.locator('[data-card]').evaluateAll((cards) =>
        cards.map((c) => {
          const text = c.querySelector('.value')!.textContent!;
          return [c.getAttribute('data-card'), text === '–' ? null : Number(text.replace(/[^\d.]/g, ''))];
        }),
      ),
    );
    const expected = fromDatabase(site.db, summary.from, summary.to);
    expect(shown).toEqual(expected);
    expect(expected['Untracked orders']).toBeGreaterThan(0); // the demo's tracking gap
    expect(expected['Late deliveries']).toBeGreaterThan(0);
    expect(expected['Dead letters']).toBe(3);
    await expect(page.locator('#alerts [data-rule="lateDelivery"]')).toContainText('shipped more than 5 days ago');
    await expect(page.locator('#table-late tr[data-order]')).toHaveCount(Math.min(50, expected['Late deliveries']));
    await expect(page.locator('#table-forwarding tr[data-destination="ga4"]')).toContainText('400 from GA4: invalid currency');

    // Live: a new event shows within a refresh, without reloading.
    await page.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });
    await testInfo.attach('dashboard', { path: testInfo.outputPath('dashboard.png'), contentType: 'image/png' });
    const events = expected.Events;
    const res = await page.request.post(`${site.url}/collect`, { headers: { 'Content-Type': 'text/plain' }, data: JSON.stringify({ v: 1, events: [{ id: 'live-1', type: 'track', name: 'view_item', ts: Date.now() }] }) });
    expect(res.status()).toBe(200);
    await expect(page.locator('[data-card="Events"] .value')).toHaveText((events + 1).toLocaleString('en-US'), { timeout: 15_000 });

    // The week: hourly points, the same charts.
    await page.getByRole('button', { name: 'Last week' }).click();
    await expect(page).toHaveURL(/#7d$/);
    await expect(page.locator('#events-sub')).toContainText('last week');
    expect(errors).toEqual([]);

    // Signing out drops the cookie: the data needs the token again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('Admin token')).toBeVisible();
    expect((await page.request.get(`${site.url}/v1/stats/summary`)).status()).toBe(401);
  } finally {
    await site.close();
  }
});

test('the dashboard runs under its strict Content-Security-Policy, with every asset from the collector', async ({ page }) => {
  const site = await seeded();
  try {
    const requests: string[] = [];
    const violations: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    await page.context().setExtraHTTPHeaders({ Authorization: `Bearer ${TOKEN}` });
    const res = await page.goto(`${site.url}/dashboard`);
    expect(res!.headers()['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    await expect(page.locator('body[data-loaded]')).toBeAttached();
    await expect(page.locator('#chart-events canvas')).toHaveCount(1);
    expect(violations).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(site.url) && !u.startsWith('data:'))).toEqual([]);
  } finally {
    await site.close();
  }
});
