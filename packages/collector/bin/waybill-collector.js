#!/usr/bin/env node
// The `waybill-collector` command: runs the collector until SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { createCollector, readAlertsConfig } from '../dist/index.js';

const USAGE = `usage: waybill-collector [options]

  --port <n>             port to listen on (default 8787; 0 picks a free port)
  --host <address>       address to listen on (default 127.0.0.1)
  --db <file>            SQLite database file (default ./waybill.db)
  --allow-origin <list>  origin allowed to send events, such as https://shop.example;
                         repeat it or separate origins with commas; * allows any
  --static <dir>         serve the files of <dir> on every other path
  --admin-token <token>  require Authorization: Bearer <token> on /events and the other
                         admin routes (or set WAYBILL_ADMIN_TOKEN, which keeps it out of ps)
  --trust-proxy          take the browser's address from X-Forwarded-For (behind a proxy)
                         (server events API keys: set WAYBILL_SERVER_KEYS, comma-separated)
  --alerts <file>        alert rules and their webhook (JSON; see the README's Alerts chapter)
  --verbose              log each request to stderr (warnings and errors are always logged)
  --help                 show this help
`;

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: './waybill.db' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      static: { type: 'string' },
      'admin-token': { type: 'string' },
      'trust-proxy': { type: 'boolean', default: false },
      alerts: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, not "${values.port}"`);
  }
  return values;
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`waybill-collector: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}

if (options.help) {
  process.stdout.write(USAGE);
} else {
  // Signal handlers go in first: a signal that arrives before them would kill the process
  // without closing the database. Until the server listens, a signal is only remembered.
  let stopRequested = false;
  let stop = () => (stopRequested = true);
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());

  let collector;
  try {
    collector = createCollector({
      db: options.db,
      allowedOrigins: options['allow-origin'].flatMap((list) => list.split(',')).map((o) => o.trim()).filter(Boolean),
      staticDir: options.static,
      adminToken: options['admin-token'] ?? process.env.WAYBILL_ADMIN_TOKEN,
      trustProxy: options['trust-proxy'],
      alerts: options.alerts === undefined ? undefined : readAlertsConfig(options.alerts),
      serverKeys: (process.env.WAYBILL_SERVER_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean),
      log: (line, level) => {
        if (options.verbose || level !== 'info') process.stderr.write(`${line}\n`);
      },
    });
    const url = await collector.listen(Number(options.port), options.host);
    process.stdout.write(`waybill collector listening on ${url}\n`);
    const loopback = /^(127\.|localhost$|\[?::1\]?$)/.test(options.host);
    if (!loopback && !options['admin-token'] && !process.env.WAYBILL_ADMIN_TOKEN) {
      process.stderr.write('warning: GET /events is open to anyone who can reach this address: set WAYBILL_ADMIN_TOKEN\n');
    }
  } catch (error) {
    process.stderr.write(`waybill-collector: ${error.message}\n`);
    await collector?.close();
    // a bad flag value (an origin that is not one, a missing --static folder) is a usage error
    process.exit(error.code === 'ERR_INVALID_ARG_VALUE' ? 2 : 1);
  }
  stop = () =>
    collector.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`waybill-collector: ${error.message}\n`);
        process.exit(1);
      },
    );
  if (stopRequested) stop();
}
