// What a shop page on another origin can read of the collector's answers, in Chromium: a
// refusal it must see (so the SDK can stop retrying and say why), and nothing else.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from './fixtures';
import { ROOT } from './server';

type Seen = { status: number; body: unknown; retryAfter: string | null } | { failed: string };

/** Posts `body` from the page to `url` with fetch, as the SDK does, and says what the page could read. */
const postFromPage = (url: string, body: string, credentials: RequestCredentials = 'same-origin') =>
  `fetch(${JSON.stringify(url)}, { method: 'POST', body: ${JSON.stringify(body)}, credentials: ${JSON.stringify(credentials)},
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' } })
    .then(async (res) => ({ status: res.status, body: await res.json(), retryAfter: res.headers.get('Retry-After') }),
          (error) => ({ failed: error.name }))`;

test('a page of a refused origin can read the 403, without credentials, and nothing is stored', async ({ page, site, elsewhere }) => {
  const { createCollector } = (await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href)) as typeof import('@waybill/collector');
  const warnings: string[] = [];
  const collector = createCollector({ db: ':memory:', log: (line, level) => level === 'warn' && warnings.push(line) });
  try {
    const url = `${await collector.listen(0, '127.0.0.1')}/collect`;
    await page.goto(elsewhere()); // on the test site's origin, which this collector does not allow
    const body = JSON.stringify({ v: 1, events: [{ id: 'refused-1', type: 'track', name: 'add_to_cart', ts: Date.now() }] });

    const seen = (await page.evaluate(postFromPage(url, body))) as Seen;
    expect(seen).toEqual({ status: 403, body: { error: 'origin not allowed' }, retryAfter: null });
    // with credentials the browser withholds it: the collector never lets a refused page use cookies
    expect(await page.evaluate(postFromPage(url, body, 'include'))).toEqual({ failed: 'TypeError' });

    expect((await collector.events()).events).toEqual([]);
    expect(warnings).toEqual([`refused events from origin ${site.url}: add --allow-origin ${site.url} (allowedOrigins in code) to accept them`]);
  } finally {
    await collector.close();
  }
});

test('a page of an allowed origin reads every answer of the collector, a 400 too', async ({ page, site, elsewhere }) => {
  const { createCollector } = (await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href)) as typeof import('@waybill/collector');
  const collector = createCollector({ db: ':memory:', allowedOrigins: [site.url] });
  try {
    const url = `${await collector.listen(0, '127.0.0.1')}/collect`;
    await page.goto(elsewhere());
    const ok = JSON.stringify({ v: 1, events: [{ id: 'allowed-1', type: 'track', name: 'add_to_cart', ts: Date.now() }] });
    expect(await page.evaluate(postFromPage(url, ok))).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await page.evaluate(postFromPage(url, '{"v": 1'))).toMatchObject({ status: 400, body: { error: 'body is not valid JSON' } });
    expect(await page.evaluate(postFromPage(url, JSON.stringify({ v: 1, known: ['allowed-1', 'other'] })))).toMatchObject({
      status: 200,
      body: { known: ['allowed-1'] },
    });
  } finally {
    await collector.close();
  }
});
