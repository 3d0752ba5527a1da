// `pnpm start`: serves the demo shop (examples/storefront) from a real Waybill collector,
// so a newcomer can watch events arrive once they consent, and none before.
// Run after `pnpm build`. Environment: PORT (default 8787).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

const port = Number(process.env.PORT ?? 8787);
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

const collector = createCollector({
  db: join(dataDir, 'demo.db'),
  staticDir: shop,
  // Request lines would drown the console (the live events page polls every second);
  // show only refused batches and errors.
  log: (/** @type {string} */ line) => {
    const request = /^([A-Z]+) (\S+) (\d{3})$/.exec(line);
    if (!request || (request[2] === '/collect' && request[3] !== '200')) console.log(dim(`  ! ${line}`));
  },
});

const url = await collector.listen(port, HOST).catch(async (/** @type {NodeJS.ErrnoException} */ error) => {
  await collector.close();
  removeData();
  return fail(error.code === 'EADDRINUSE'
    ? `Port ${port} is already in use. Stop what uses it, or pick another port: PORT=${port + 1} pnpm start`
    : `Could not start the collector: ${error.message}`);
});

console.log(`
  ${bold('Waybill demo')} is running.

  Shop          ${bold(`${url}/`)}
  Live events   ${bold(`${url}/events.html`)}

  Try it:
    1. Browse the shop: Waybill sends nothing and stores nothing.
    2. In the consent banner choose "Accept all", or "Manage preferences" and
       analytics only: events arrive. "Reject all": nothing ever does.
    3. Buy something and watch the whole funnel, from view_item_list to purchase.
    4. "Privacy settings" in the footer lets you change your mind; a category
       you turn off stops at once.

  ${dim('Events go to a temporary database that is deleted when you stop.')}
  Press Ctrl+C to stop.
`);

// Echo arrivals in the terminal too, so the console tells the same story as the page.
let seen = { accepted: 0, duplicates: 0 };
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
    await collector.close();
  } finally {
    removeData();
  }
  console.log(`\n  Demo stopped (${signal}). Bye!\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
