import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the handler knows of its host: on Node (`listen`, `handle`), the request and response
 * objects under the Fetch API ones; elsewhere (`collector.fetch` in a route handler), nothing.
 * `headers`: what every answer to this request carries (CORS), set by the origin check.
 */
export type Env = {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  Variables: { headers?: Record<string, string> };
};
