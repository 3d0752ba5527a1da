// POST /collect: a batch of events (wire format v1 or v2), or the "known" query of a page that holds
// stored events and asks which ones the collector already has.
import type { CollectResponse } from '@waybill/core';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RequestMeta } from '../outbox';
import { fail, reply } from '../reply';
import type { Route, Store } from '../store/store';
import { hashContactTraits } from '../traits';
import { checkBody, prepareEvent, type StorableEvent } from '../wire';
import type { Env } from '../env';

/** What the route needs from the collector. */
export interface CollectDeps {
  store: Store;
  route: Route;
  maxBodyBytes: number;
  trustProxy: boolean;
  counters: { accepted: number; duplicates: number; rejected: number };
}

const BODY_TYPES = new Set(['text/plain', 'application/json']);

/** The media type of a Content-Type header, lower-cased, without parameters; '' when absent. */
const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** 415 unless the body is plain text or JSON, uncompressed: what `sendBeacon` and `fetch` send. */
const plainBody: MiddlewareHandler = async (c, next) => {
  const type = mediaType(c.req.header('content-type'));
  if (!BODY_TYPES.has(type)) {
    const given = type === '' ? 'no Content-Type' : `unsupported Content-Type "${type}"`;
    return fail(c, 415, `${given}: send text/plain or application/json`);
  }
  const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    return fail(c, 415, `unsupported Content-Encoding "${encoding}": send the body uncompressed`);
  }
  return next();
};

/** The browser's address and user agent, for forwarding (vendors match on them). */
function requestMeta(c: Context<Env>, trustProxy: boolean): RequestMeta {
  // Behind a proxy the socket is the proxy's: its X-Forwarded-For names the browser first.
  const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  const ip = (forwarded || c.env?.incoming?.socket.remoteAddress)?.replace(/^::ffff:(?=\d+\.)/, '').slice(0, 64);
  const userAgent = c.req.header('user-agent')?.slice(0, 512);
  return { receivedAt: Date.now(), ...(ip && { ip }), ...(userAgent && { userAgent }) };
}

/**
 * 413 for a body over `maxSize` bytes. A body that announces its length is judged by it, before a
 * byte is read (and without touching `c.req.raw.body`, which would turn Node's fast body read
 * into a web stream); Hono's bodyLimit counts the bytes of one that does not (chunked).
 */
function limitBody(maxSize: number): MiddlewareHandler {
  const tooLarge: MiddlewareHandler = (c) => Promise.resolve(fail(c, 413, `body larger than ${maxSize} bytes`));
  const counted = bodyLimit({ maxSize, onError: tooLarge as Parameters<typeof bodyLimit>[0]['onError'] });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    return Number(length) > maxSize ? tooLarge(c, next) : next();
  };
}

export function collectRoutes(app: Hono<Env>, deps: CollectDeps): void {
  const { store, counters } = deps;

  app.post('/collect', plainBody, limitBody(deps.maxBodyBytes), async (c) => {
    let text: string;
    try {
      text = await c.req.text();
    } catch {
      return fail(c, 400, 'body could not be read to its end'); // the client went away: nobody reads this
    }
    if (text.length === 0) return fail(c, 400, 'body is empty: send {"v": 1, "events": [...]}');
    let data: unknown;
    try {
      data = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      return fail(c, 400, 'body is not valid JSON');
    }
    const body = checkBody(data);
    if ('error' in body) return fail(c, body.status, body.error);
    if ('known' in body) return reply(c, 200, { known: await store.known(body.known) });

    const good: StorableEvent[] = [];
    const rejected: CollectResponse['rejected'] = [];
    body.events.forEach((event, index) => {
      hashContactTraits(event);
      const prepared = prepareEvent(event);
      if (typeof prepared === 'string') rejected.push({ index, error: prepared });
      else good.push(prepared);
    });
    const { accepted, duplicates } = await store.insert(good, requestMeta(c, deps.trustProxy), deps.route);
    counters.accepted += accepted;
    counters.duplicates += duplicates;
    counters.rejected += rejected.length;
    return reply(c, 200, { accepted, duplicates, rejected } satisfies CollectResponse);
  });

  // Not a preflight (those come with an Origin, and CORS answers them): say what the route takes.
  app.options('/collect', () => new Response(null, { status: 204, headers: { Allow: 'POST, OPTIONS' } }));
}
