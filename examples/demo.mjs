// `pnpm start`: serves the demo shop (examples/storefront) from a real Waybill collector,
// so a newcomer can watch events arrive once they consent, and none before.
// `pnpm start:react` / `pnpm start:vue` (`node examples/demo.mjs react-shop|vue-shop`): the same
// collector and live events page in front of a framework shop's Vite build, with the TikTok and
// GA4 stand-ins, through examples/spa-server.mjs.
// `--demo-data` (`pnpm start --demo-data`) first loads a week of shop traffic, consent choices,
// web vitals and fulfilment (examples/demo-data.mjs), so that the dashboard is full, with an alert.
// Run after `pnpm build` (and the shop's build). Environment: PORT (default 8787; 8788 React, 8789 Vue).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const root = fileURLToPath(new URL('..', import.meta.url));
const shop = join(root, 'examples', 'storefront');
const collectorEntry = join(root, 'packages', 'collector', 'dist', 'index.js');

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (/** @type {string} */ s) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (/** @type {string} */ s) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const green = (/** @type {string} */ s) => (color ? `\x1b[32m${s}\x1b[39m` : s);

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

/** The framework shops: their default port and name. */
const SPAS = { 'react-shop': { port: 8788, name: 'React shop' }, 'vue-shop': { port: 8789, name: 'Vue shop' } };
const args = process.argv.slice(2);
const demoData = args.includes('--demo-data');
const unknownFlag = args.find((a) => a.startsWith('--') && a !== '--demo-data');
if (unknownFlag) fail(`Unknown option "${unknownFlag}": the demo takes --demo-data, and a shop name.`);
const spaName = args.find((a) => !a.startsWith('--'));
if (spaName !== undefined && !Object.hasOwn(SPAS, spaName)) fail(`Unknown shop "${spaName}": use ${Object.keys(SPAS).join(' or ')}, or nothing for the storefront.`);
const spa = spaName && { ...SPAS[/** @type {keyof typeof SPAS} */ (spaName)], dir: join(root, 'examples', spaName, 'dist') };
if (spa && !existsSync(join(spa.dir, 'index.html'))) fail(`The ${spa.name} is not built. Run \`pnpm start:${spaName.replace('-shop', '')}\` (it builds first).`);

const port = Number(process.env.PORT ?? (spa ? spa.port : 8787));
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be a port number, not "${process.env.PORT}".`);
if (!existsSync(collectorEntry) || !existsSync(join(shop, 'waybill.min.js')) || !existsSync(join(shop, 'waybill-stub.js'))) {
  fail('The demo needs the built packages. Run `pnpm start` (it builds first) or `pnpm build`.');
}

const { createCollector } = await import(collectorEntry);

// The consent banner comes from npm (vanilla-cookieconsent) and is served from the shop's own
// origin: copy it into examples/storefront/vendor/ (not committed).
const { copyVendor } = await import('./storefront/vendor.mjs');
try {
  copyVendor();
} catch (error) {
  fail(`Could not copy the consent banner from node_modules (run \`pnpm install\` first): ${/** @type {Error} */ (error).message}`);
}

// A fresh database per run: the live events page starts empty, so "nothing before
// consent" is plain to see. (It is not kept inside the shop folder, which is served.)
const dataDir = mkdtempSync(join(tmpdir(), 'waybill-demo-'));
const removeData = () => rmSync(dataDir, { recursive: true, force: true });

const { loadDemoData, DEMO_ALERTS } = await import('./demo-data.mjs');
const collector = createCollector({
  db: join(dataDir, 'demo.db'),
  ...(demoData && { alerts: DEMO_ALERTS }),
  staticDir: shop,
  // Request lines would drown the console (the live events page polls every second);
  // show only refused batches and errors.
  log: (/** @type {string} */ line) => {
    const request = /^([A-Z]+) (\S+) (\d{3})$/.exec(line);
    if (!request || (request[2] === '/collect' && request[3] !== '200')) console.log(dim(`  ! ${line}`));
  },
});

/** What a vendor stand-in reports (see e2e/stand-ins): one line per pixel or gtag call. @param {any} hit */
const logHit = (hit) => {
  if (hit?.vendor === 'tiktok' && hit.method === 'track') console.log(`  ${green('←')} TikTok stand-in: ${hit.args[0]}`);
  if (hit?.vendor === 'ga4' && hit.command === 'event') console.log(`  ${green('←')} GA4 stand-in: ${hit.args[0]}`);
};

/** The framework shop's server in front of the collector, or the collector itself (the storefront). @returns {Promise<string>} */
async function listen() {
  if (!spa) return collector.listen(port, HOST);
  const { spaHandler } = await import('./spa-server.mjs');
  const server = createServer(spaHandler({ dir: spa.dir, collector, onHit: logHit }));
  await new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => done(undefined));
  });
  closeServer = () => new Promise((done) => (server.closeAllConnections(), server.close(() => done(undefined))));
  return `http://${HOST}:${port}`;
}
let closeServer = async () => {};

if (demoData) {
  process.stdout.write('\n  Loading a week of demo traffic… ');
  const started = Date.now();
  const { browser, server } = await loadDemoData(collector);
  await collector.alerts.evaluate();
  console.log(`${browser.toLocaleString('en-US')} browser events and ${server.toLocaleString('en-US')} server events in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

const url = await listen().catch(async (/** @type {NodeJS.ErrnoException} */ error) => {
  await collector.close();
  removeData();
  return fail(error.code === 'EADDRINUSE'
    ? `Port ${port} is already in use. Stop what uses it, or pick another port: PORT=${port + 1} pnpm start`
    : `Could not start the collector: ${error.message}`);
});

console.log(`
  ${bold(spa ? `Waybill ${spa.name}` : 'Waybill demo')} is running.

  Shop          ${bold(`${url}/`)}
  Live events   ${bold(`${url}/events.html`)}
  Dashboard     ${bold(`${url}/dashboard`)}${demoData ? dim('  (a week of demo traffic, and an alert)') : ''}

  Try it:
    1. Browse the shop: Waybill sends nothing and stores nothing.
    2. In the consent banner choose "Accept all", or "Manage preferences" and
       analytics only: events arrive. "Reject all": nothing ever does.${spa ? `
       With marketing granted the TikTok stand-in gets its events too; GA4's needs analytics.` : ''}
    3. Buy something and watch the whole funnel, from view_item_list to purchase.
    4. "Privacy settings" in the footer lets you change your mind; a category
       you turn off stops at once.

  ${dim('Events go to a temporary database that is deleted when you stop.')}
  Press Ctrl+C to stop.
`);

// Echo arrivals in the terminal too, so the console tells the same story as the page.
let seen = collector.stats(); // (demo data loaded before is not news)
const ticker = setInterval(async () => {
  const now = collector.stats();
  const fresh = now.accepted - seen.accepted;
  const doubled = now.duplicates - seen.duplicates;
  seen = now;
  if (fresh > 0) {
    const { events } = await collector.events({ limit: Math.min(fresh, 20) }).catch(() => ({ events: [] })); // closed meanwhile
    /** @type {string[]} */
    const names = events.map((/** @type {{ name: string }} */ e) => e.name).reverse();
    const more = fresh > names.length ? `, and ${fresh - names.length} more` : '';
    console.log(`  ${green('←')} ${fresh} event${fresh === 1 ? '' : 's'}: ${names.join(', ')}${more}`);
  }
  if (doubled > 0) console.log(dim(`  ← ${doubled} duplicate${doubled === 1 ? '' : 's'} (already stored, counted once)`));
}, 1000);

let stopping = false;
/** @param {string} signal */
async function stop(signal) {
  if (stopping) process.exit(1); // a second Ctrl+C: do not wait any longer
  stopping = true;
  clearInterval(ticker);
  try {
    await closeServer();
    await collector.close();
  } finally {
    removeData();
  }
  console.log(`\n  Demo stopped (${signal}). Bye!\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
