// The Node host of the handler: a `node:http` request listener (for `listen`, and for shops that
// mount the collector in their own Node or Express server), through @hono/node-server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Env } from './env';
import type { Log } from './log';

// Long enough for a response to finish; short enough that `close()` never hangs on a stalled client.
const CLOSE_GRACE_MS = 1000;

const MALFORMED = JSON.stringify({ error: 'malformed HTTP request' });

/** Serves `fetch` on Node. */
export function nodeHost(fetch: (request: Request, env: Env['Bindings']) => Response | Promise<Response>, log: Log) {
  // Made on first use: @hono/node-server swaps the global Request and Response for its lighter
  // ones when a listener is made, which a shop that only calls `collector.fetch` (in Next.js, say)
  // should not have done to its process.
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    listener ??= getRequestListener((request, env) => fetch(request, env as Env['Bindings']), {
      // A request Node parsed but the Fetch API cannot hold (a bad Host, a backslash in the path).
      errorHandler: () => new Response(MALFORMED, { status: 400, headers: { 'Content-Type': 'application/json' } }),
    });
    listener(req, res);
  };
  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    log(`client error: ${error.code ?? error.message}`, 'info');
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${MALFORMED.length}\r\nConnection: close\r\n\r\n${MALFORMED}`,
    );
  }

  function listen(port = 8787, host = '127.0.0.1'): Promise<string> {
    if (closing) return Promise.reject(new Error('collector is closed'));
    if (server) return Promise.reject(new Error('collector is already listening'));
    const s = createServer(handle);
    s.on('clientError', onClientError);
    server = s;
    return new Promise((resolvePromise, reject) => {
      const fail = (error: Error) => {
        server = undefined;
        reject(error);
      };
      s.once('error', fail);
      s.listen(port, host, () => {
        s.off('error', fail);
        s.on('error', (error) => log(`server error: ${error.message}`, 'error'));
        const { address, port: actual } = s.address() as AddressInfo;
        resolvePromise(`http://${address.includes(':') ? `[${address}]` : address}:${actual}`);
      });
    });
  }

  /** Stops listening; open connections get a moment to finish their answers, then are cut. */
  function close(): Promise<void> {
    closing ??= (async () => {
      const s = server;
      if (s && !s.listening) {
        // listen() is still looking up its host name: let it finish, or fail, before closing
        await new Promise((settled) => s.once('listening', settled).once('error', settled));
      }
      if (!s?.listening) return;
      await new Promise<void>((done) => {
        const force = setTimeout(() => s.closeAllConnections(), CLOSE_GRACE_MS);
        s.close(() => {
          clearTimeout(force);
          done();
        });
        s.closeIdleConnections();
      });
    })();
    return closing;
  }

  return { handle, listen, close };
}

/**
 * After an error answer to a request whose body was not read to the end, close the connection
 * instead of reading on: that would cost as much as the client cares to send. (Node only: other
 * hosts own their connections.)
 */
export function closeIfUnread(env: Env['Bindings'], status: number): void {
  const { incoming, outgoing } = env ?? {};
  if (!incoming || !outgoing || incoming.complete || status < 400) return;
  incoming.pause();
  outgoing.shouldKeepAlive = false;
}
