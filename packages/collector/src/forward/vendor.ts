// What the worker needs from a vendor: payloads per row, requests within the API's limits,
// and one request sent and classified.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ForwardDestination, OutboxRow } from '../outbox';
import type { Outcome } from './outcome';

/** A claimed row with its payload piece. */
export interface Prepared<P> {
  row: OutboxRow;
  payload: P;
}

/** Why a row can never be sent: too old for the vendor, or a reason for the dead letter. */
export type Unsendable = { expired: true } | { dead: string };

/** A vendor's client. */
export interface Vendor<P = unknown> {
  destination: ForwardDestination;
  /** Rows the worker claims at a time. */
  claimSize: number;
  /** Rows it claims to probe the vendor after a failure: about one request. */
  probeSize: number;
  /** The payload piece for one row, or why it can never be sent. */
  prepare(row: OutboxRow, now: number): P | Unsendable;
  /** Prepared rows as requests within the API's limits, oldest first. */
  batches(prepared: Prepared<P>[]): Prepared<P>[][];
  /** Sends one request and classifies the answer; never throws. `signal` aborts it (timeout). */
  send(batch: Prepared<P>[], signal: AbortSignal): Promise<Outcome>;
  /** Closes its connections (the worker has stopped). */
  close?(): void;
}

/** Tells a payload from the reasons a row cannot be sent. */
export const unsendable = (value: unknown): value is Unsendable =>
  typeof value == 'object' && value !== null && ('expired' in value || 'dead' in value);

/** A vendor's answer to one request. */
export interface Answer {
  status: number;
  /** The `Retry-After` header, if any. */
  retryAfter: string | null;
  text: string;
}

/** POSTs JSON to a vendor: an answer, or a `retry` outcome when the request failed (network, timeout). */
export type Post = ((url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal) => Promise<Answer | Outcome>) & {
  /** Closes the kept-alive connections. */
  close?(): void;
};

/**
 * A {@link Post} over `node:http`/`node:https` with keep-alive connections: one client per
 * vendor keeps its sockets open between requests (much cheaper than `fetch` per request).
 */
export function poster(): Post {
  const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };
  const post: Post = (url, headers, body, signal) =>
    new Promise((resolve) => {
      const target = new URL(url);
      const payload = JSON.stringify(body);
      const send = target.protocol == 'https:' ? httpsRequest : httpRequest;
      const failed = (error: Error) => {
        const reason = signal.aborted ? 'timed out' : error.message;
        resolve({ kind: 'retry', error: `request failed: ${reason}` });
      };
      const req = send(
        target,
        {
          method: 'POST',
          agent: agents[target.protocol as 'http:'],
          signal,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter == 'string' ? retryAfter : null, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', failed);
        },
      );
      req.on('error', failed);
      req.end(payload);
    });
  post.close = () => Object.values(agents).forEach((agent) => agent.destroy());
  return post;
}
