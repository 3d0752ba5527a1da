// Starts Waybill's collector through its public package API only, so the bench keeps working
// while the collector's internals change: a collector with `listen()` (the node:http server of
// today) is asked to listen; one with a Fetch-API `fetch(request)` handler is served by
// `@hono/node-server`, resolved from the collector package's own dependencies.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.mjs';

const COLLECTOR = join(ROOT, 'packages', 'collector');

/**
 * Starts a collector on `host:port` (0: a free port) storing into `db`.
 * Resolves `{ url, close() }`.
 */
export async function startCollector({ db, port = 0, host = '127.0.0.1' }) {
  const { createCollector } = await import(pathToFileURL(join(COLLECTOR, 'dist', 'index.js')).href);
  const collector = await createCollector({ db, allowedOrigins: ['*'] });
  if (typeof collector.listen === 'function') {
    const url = await collector.listen(port, host);
    return { url, close: () => collector.close() };
  }
  if (typeof collector.fetch === 'function') {
    const nodeServer = createRequire(join(COLLECTOR, 'package.json')).resolve('@hono/node-server');
    const { serve } = await import(pathToFileURL(nodeServer).href);
    const server = await new Promise((resolve) => {
      const s = serve({ fetch: collector.fetch, port, hostname: host }, () => resolve(s));
    });
    const url = `http://${host}:${server.address().port}`;
    return {
      url,
      close: async () => {
        await new Promise((done) => server.close(() => done()));
        await collector.close?.();
      },
    };
  }
  throw new Error('@waybill/collector: createCollector() returned neither listen() nor fetch()');
}
