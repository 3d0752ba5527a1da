import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { createCollector, type Collector, type CollectorOptions, type EventsQuery, type StoredEvent } from '@waybill/collector';

let counter = 0;

/** A valid wire-format event; override any field. */
export function makeEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    id: `evt-${process.pid}-${counter}`,
    type: 'track',
    name: 'add_to_cart',
    props: { currency: 'USD', value: 30, items: [{ item_id: 'SKU1', price: 30, quantity: 1 }] },
    ts: 1_700_000_000_000 + counter,
    anonymousId: 'anon-1',
    sessionId: 'sess-1',
    context: {
      page: { url: 'https://shop.example/p/1', path: '/p/1', referrer: '', title: 'Tee' },
      locale: 'en-US',
      timezone: 'UTC',
      screen: '1280x720',
      campaign: {},
      clickIds: {},
      consent: { necessary: 'granted', analytics: 'granted', marketing: 'denied' },
      library: { name: 'waybill', version: '0.0.0-test' },
    },
    ...fields,
  };
}

/** A wire-format batch body. */
export const batch = (events: unknown[]): string => JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events });

/** A fresh temporary folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waybill-collector-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A collector listening on a free port (in-memory database unless told), closed after the test. */
export async function startCollector(options: CollectorOptions = {}): Promise<{ collector: Collector; url: string }> {
  const collector = createCollector({ db: ':memory:', ...options });
  onTestFinished(() => collector.close());
  const url = await collector.listen(0);
  return { collector, url };
}

/** The events `collector.events(query)` lists (newest first), without the page's cursor. */
export const stored = async (collector: Collector, query?: EventsQuery): Promise<StoredEvent[]> => (await collector.events(query)).events;

/** `POST /collect` with a text/plain body, as `sendBeacon` sends it. */
export const post = (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${url}/collect`, { method: 'POST', body, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers } });

/** Asserts a JSON error answer and returns its message. */
export async function expectError(res: Response, status: number, message?: RegExp): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = (await res.json()) as { error: unknown };
  expect(typeof body.error).toBe('string');
  if (message) expect(body.error).toMatch(message);
  return body.error as string;
}

/** Asserts the collector still stores events after whatever happened before. */
export async function expectAlive(url: string): Promise<void> {
  const res = await post(url, batch([makeEvent()]));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose path is sent exactly as given (`fetch` would normalise `/../`). */
export function rawRequest(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
