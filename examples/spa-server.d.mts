import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Node request handler for the framework shop built in `dir` (see spa-server.mjs). */
export declare function spaHandler(options: {
  dir: string;
  collector: { handle(req: IncomingMessage, res: ServerResponse): void };
  /** Hear every call a vendor stand-in reports. */
  onHit?: (hit: unknown) => void;
}): (req: IncomingMessage, res: ServerResponse) => void;
