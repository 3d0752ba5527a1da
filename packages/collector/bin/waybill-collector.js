#!/usr/bin/env node
// The `waybill-collector` command: runs the collector until SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { FORWARDING_FLAGS, createCollector, forwarding, forwardingFromFlags, readAlertsConfig } from '../dist/index.js';

const USAGE = `usage: waybill-collector [options]

  --port <n>             port to listen on (default 8787; 0 picks a free port)
  --host <address>       address to listen on (default 127.0.0.1)
  --db <file or url>     SQLite database file, or a PostgreSQL URL postgres://user@host/db
                         (default: DATABASE_URL if set, else ./waybill.db); prefer DATABASE_URL
                         and PGPASSWORD for PostgreSQL, which keep the password out of ps
  --db-pool <n>          PostgreSQL connections this process keeps at most (default 10)
  --retention-days <n>   delete events received more than <n> days ago (checked hourly)
  --allow-origin <list>  origin allowed to send events, such as https://shop.example;
                         repeat it or separate origins with commas; * allows any
  --static <dir>         serve the files of <dir> on every other path
  --admin-token <token>  require Authorization: Bearer <token> on /events and the other
                         admin routes (or set WAYBILL_ADMIN_TOKEN, which keeps it out of ps)
  --trust-proxy          take the browser's address from X-Forwarded-For (behind a proxy;
                         or WAYBILL_TRUST_PROXY=1)
                         (server events API keys: set WAYBILL_SERVER_KEYS, comma-separated)
  --alerts <file>        alert rules and their webhook (JSON; see the README's Alerts chapter)
  --verbose              log each request to stderr (warnings and errors are always logged)
  --help                 show this help

server-side forwarding (each flag also as its environment variable; a destination is off
without its two credentials; pass secrets in the environment, flags show in ps):

${FORWARDING_FLAGS.map((f) => `  --${f.flag}${f.boolean ? '' : ' <value>'}\n      ${f.help}; ${f.env}${f.multiple ? ' (comma-separated)' : ''}`).join('\n')}
`;

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string' },
      'db-pool': { type: 'string' },
      'retention-days': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      static: { type: 'string' },
      'admin-token': { type: 'string' },
      'trust-proxy': { type: 'boolean', default: false },
      alerts: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(FORWARDING_FLAGS.map((f) => [f.flag, { type: f.boolean ? 'boolean' : 'string', multiple: f.multiple === true }])),
    },
  });
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, not "${values.port}"`);
  }
  for (const flag of ['db-pool', 'retention-days']) {
    if (values[flag] !== undefined && !/^[1-9]\d{0,8}$/.test(values[flag])) {
      throw new Error(`--${flag} must be a whole number of at least 1, not "${values[flag]}"`);
    }
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
    const forwarded = forwardingFromFlags(options, process.env);
    for (const flag of forwarded.secretFlags) {
      const { env } = FORWARDING_FLAGS.find((f) => f.flag === flag);
      process.stderr.write(`warning: --${flag} shows in the process list: set ${env} instead\n`);
    }
    if (options['admin-token'] !== undefined) process.stderr.write('warning: --admin-token shows in the process list: set WAYBILL_ADMIN_TOKEN instead\n');
    const forward = forwarding({ ...forwarded.options, announce: false });
    collector = createCollector({
      db: options.db ?? (process.env.DATABASE_URL || './waybill.db'),
      dbPool: options['db-pool'] && Number(options['db-pool']),
      retentionDays: options['retention-days'] && Number(options['retention-days']),
      allowedOrigins: options['allow-origin'].flatMap((list) => list.split(',')).map((o) => o.trim()).filter(Boolean),
      staticDir: options.static,
      adminToken: options['admin-token'] ?? process.env.WAYBILL_ADMIN_TOKEN,
      trustProxy: options['trust-proxy'] || /^(1|true|yes)$/i.test(process.env.WAYBILL_TRUST_PROXY ?? ''),
      forward,
      alerts: options.alerts === undefined ? undefined : readAlertsConfig(options.alerts),
      serverKeys: (process.env.WAYBILL_SERVER_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean),
      log: (line, level) => {
        if (options.verbose || level !== 'info') process.stderr.write(`${line}\n`);
      },
    });
    const url = await collector.listen(Number(options.port), options.host);
    process.stdout.write(`waybill collector listening on ${url}\n`);
    // Said once, at start: which destinations forward, and why the others do not.
    for (const line of forward.describe()) process.stdout.write(`${line}\n`);
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
