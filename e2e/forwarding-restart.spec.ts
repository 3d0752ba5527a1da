// The collector killed (SIGKILL) with a forwarding backlog, and started again: every event
// reaches each vendor, and none twice. The collector runs as the `waybill-collector` command,
// in its own process, so that it can be killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, flush, poll, sdkReady, test as base } from './fixtures';
import { shopPage } from './pages';
import { ROOT } from './server';
import { GA4_ID, PIXEL_ID } from './stand-ins/vendors';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from './stand-ins/vendor-apis.mjs';

const TOKEN = 'tiktok-access-token';
const SECRET = 'ga4-api-secret';
const ADMIN = 'admin-token-0123456789';
const BACKLOG = 500;

/** A running `waybill-collector`. */
interface Command {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** Starts `waybill-collector` with forwarding to the stand-ins; resolves once it listens. */
async function startCommand(args: string[], env: Record<string, string>): Promise<Command> {
  const child = spawn(process.execPath, [join(ROOT, 'packages/collector/bin/waybill-collector.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  const url = await new Promise<string>((done, fail) => {
    const look = () => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) done(m[1]!);
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => fail(new Error(`waybill-collector exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

const kill = (command: Command, signal: NodeJS.Signals) =>
  new Promise<void>((done) => {
    if (command.child.exitCode !== null || command.child.signalCode !== null) return done();
    command.child.once('exit', () => done());
    command.child.kill(signal);
  });

const test = base.extend<{ apis: { tiktok: EventsApi; ga4: MeasurementProtocol }; dir: string }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  apis: async ({}, use) => {
    const [tiktok, ga4] = await Promise.all([startEventsApi({ pixel: PIXEL_ID, token: TOKEN }), startMeasurementProtocol({ measurementId: GA4_ID, apiSecret: SECRET })]);
    await use({ tiktok, ga4 });
    await Promise.all([tiktok.close(), ga4.close()]);
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  dir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'waybill-e2e-restart-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
});

test('killed with a backlog of 500 and started again: every event reaches each vendor, none twice', async ({ page, site, apis, dir }) => {
  test.setTimeout(90_000);
  const args = (port: number) => [
    '--port', String(port), '--db', join(dir, 'collector.db'), '--allow-origin', site.url,
    '--tiktok-pixel', PIXEL_ID, '--tiktok-api-url', apis.tiktok.url,
    '--ga4-measurement-id', GA4_ID, '--ga4-api-url', apis.ga4.url,
    // A short timeout makes a short lease (six timeouts): the restarted collector takes over within seconds.
    '--forward-timeout-ms', '1000', '--forward-retry-ms', '50',
  ];
  // Secrets by variable, as in production.
  const env = { WAYBILL_TIKTOK_ACCESS_TOKEN: TOKEN, WAYBILL_GA4_API_SECRET: SECRET, WAYBILL_ADMIN_TOKEN: ADMIN };
  const admin = { headers: { Authorization: `Bearer ${ADMIN}` } };
  // The vendors take two requests each, then hold every answer: a backlog builds up, with requests in flight.
  apis.tiktok.hold({ after: 2 });
  apis.ga4.hold({ after: 2 });

  let command = await startCommand(args(0), env);
  const port = Number(new URL(command.url).port);
  try {
    const html = shopPage({ mode: 'script', batchSize: 100, flushInterval: 100, script: `wb('consent', { analytics: 'granted', marketing: 'granted' });` })
      .replace('data-endpoint="/collect"', `data-endpoint="${command.url}/collect" data-tiktok="${PIXEL_ID}" data-tiktok-mode="server" data-ga4="${GA4_ID}" data-ga4-mode="server"`);
    await page.goto(site.addPage(html));
    await sdkReady(page);
    await page.evaluate((n) => {
      for (let i = 0; i < n; i++) window.wb('track', 'purchase', { transaction_id: `T-${i}`, currency: 'USD', value: i + 1 });
    }, BACKLOG);
    await flush(page);
    const report = async () => (await fetch(`${command.url}/forwarding`, admin)).json();
    await poll(async () => (await (await fetch(`${command.url}/health`)).json()).events, 'events stored').toBe(BACKLOG);
    // Two requests to each vendor are answered and marked sent (how many events they held
    // depends on how the page's requests arrived); the next ones are held, in flight.
    const answered = () => [apis.tiktok.events().length, apis.ga4.events().length];
    await poll(async () => {
      const { tiktok, ga4 } = await report();
      const inFlight = apis.tiktok.requests.length > 2 && apis.ga4.requests.length > 2;
      return inFlight && tiktok.sent > 0 && ga4.sent > 0 && [tiktok.sent, ga4.sent].join() == answered().join();
    }, 'sent before the kill, with requests in flight').toBe(true);
    const sentBefore = answered();
    expect((await report()).tiktok.pending).toBe(BACKLOG - sentBefore[0]!);

    await kill(command, 'SIGKILL');
    // What the vendors held never got through: the kill cut it off.
    apis.tiktok.drop();
    apis.ga4.drop();
    expect(answered()).toEqual(sentBefore);

    command = await startCommand(args(port), env);
    await poll(async () => {
      const { tiktok, ga4 } = await report();
      return [tiktok.sent, tiktok.pending, ga4.sent, ga4.pending];
    }, 'forwarded after the restart').toEqual([BACKLOG, 0, BACKLOG, 0]);

    const tiktokIds = apis.tiktok.events().map((e) => e.event_id);
    expect(new Set(tiktokIds).size, 'distinct events at TikTok').toBe(BACKLOG);
    expect(tiktokIds, 'every event once at TikTok').toHaveLength(BACKLOG);
    const ga4Orders = apis.ga4.events().map((e) => e.params.transaction_id);
    expect(new Set(ga4Orders).size, 'distinct events at GA4').toBe(BACKLOG);
    expect(ga4Orders, 'every event once at GA4').toHaveLength(BACKLOG);
    expect([...apis.tiktok.requests, ...apis.ga4.requests].flatMap((r) => r.problems)).toEqual([]);
    expect((await report()).tiktok).toMatchObject({ dead: 0, expired: 0 });
  } finally {
    await kill(command, 'SIGTERM');
  }
});
