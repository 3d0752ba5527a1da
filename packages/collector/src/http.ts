import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Writes a 4xx/5xx answer `{"error": message}`. A request whose body was not read to the end
 * gets `Connection: close`: reading on would cost as much as the client cares to send.
 */
export function sendError(res: ServerResponse, status: number, message: string, headers?: OutgoingHttpHeaders): void {
  if (!res.req.complete) res.setHeader('Connection', 'close');
  sendJson(res, status, { error: message }, headers);
}

/** The media type of a Content-Type header, lower-cased, without parameters; '' when absent. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** What reading a body can end in, besides the body itself. */
export type BodyFailure = 'too-large' | 'aborted';

/**
 * Reads a request body, giving up as soon as it grows past `limit` bytes
 * (a chunked body announces no length, so the bytes are counted as they come).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | BodyFailure> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: Buffer | BodyFailure) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        settle('too-large');
      } else {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.on('end', () => settle(Buffer.concat(chunks, size)));
    req.on('error', () => settle('aborted'));
    req.on('close', () => settle(req.complete ? Buffer.concat(chunks, size) : 'aborted'));
  });
}
