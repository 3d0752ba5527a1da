#!/usr/bin/env node
// `pnpm bench [section ...] [--rounds N] [--quick] [--no-build] [--out FILE]`
// Measures Waybill against the SDKs a shop would pick instead, prints Markdown tables and writes
// the figures (every round, and the median of the rounds) to bench/results/<date>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH, ROOT } from './lib/paths.mjs';
import { launchBrowser } from './lib/browser.mjs';

const SECTIONS = {
  bytes: () => import('./sections/bytes.mjs'),
  'main-thread': () => import('./sections/main-thread.mjs'),
  wire: () => import('./sections/wire.mjs'),
  delivery: () => import('./sections/delivery.mjs'),
  collector: () => import('./sections/collector.mjs'),
};

const USAGE = `usage: pnpm bench [section ...] [options]

sections (default: all, in this order): ${Object.keys(SECTIONS).join(', ')}

  --rounds N   rounds per figure; each figure is the median of the rounds (default 3)
  --quick      smaller runs, for working on the harness (figures not comparable)
  --no-build   measure packages/*/dist as they are (default: pnpm build first)
  --sdks LIST  run only these peers in the browser sections, such as snowplow,rudderstack
               (Waybill always runs: it is the reference)
  --out FILE   where to write the JSON (default bench/results/<date>.json)
  --help       show this help
`;

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '3' },
      quick: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      out: { type: 'string' },
      sdks: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const rounds = Number(args.values.rounds);
const unknown = args.positionals.filter((name) => !SECTIONS[name]);
if (!(Number.isInteger(rounds) && rounds >= 1) || unknown.length) {
  process.stderr.write(`bench: ${unknown.length ? `unknown section ${unknown.join(', ')}` : '--rounds must be a whole number ≥ 1'}\n\n${USAGE}`);
  process.exit(2);
}
const chosen = args.positionals.length ? Object.keys(SECTIONS).filter((name) => args.positionals.includes(name)) : Object.keys(SECTIONS);

const git = (...cmd) => {
  try {
    return execFileSync('git', cmd, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

const started = new Date();
const machine = {
  date: started.toISOString(),
  cores: cpus().length,
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
  loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: git('status', '--porcelain') ? true : false,
};

if (!args.values['no-build']) {
  process.stderr.write('bench: building the packages (pnpm build)\n');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** One Chromium for every browser section, launched when the first needs it. */
let browser;
const context = {
  rounds,
  quick: args.values.quick,
  only: args.values.sdks?.split(',').map((id) => id.trim()),
  browser: async () => (browser ??= await launchBrowser()),
  log: (line) => process.stderr.write(`bench: ${line}\n`),
};

const results = { machine, options: { rounds, quick: args.values.quick, sections: chosen, sdks: context.only }, sections: {} };
const out = args.values.out ?? join(BENCH, 'results', `${started.toISOString().slice(0, 19).replaceAll(':', '-')}.json`);
/** Writes what was measured so far: after every section, so a stopped run keeps its figures. */
const save = () => {
  if (browser) {
    machine.chromium = browser.version;
    // Chromium's own attempts (component updates, sign-in) are not an SDK's.
    results.internet = browser.attempts;
  }
  machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  machine.seconds = Math.round((Date.now() - started.getTime()) / 1000);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
};
process.once('SIGINT', () => {
  save();
  process.stderr.write(`\nbench: stopped; figures so far in ${relative(process.cwd(), out)}\n`);
  process.exit(130);
});
process.stdout.write(
  `# Waybill bench, ${machine.date.slice(0, 10)}\n\n${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ` +
    `Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')} at start; ` +
    `median of ${rounds} round${rounds > 1 ? 's' : ''}${args.values.quick ? ', QUICK (not comparable)' : ''}; commit ${machine.commit}${machine.dirty ? ' (dirty)' : ''}\n`,
);
let failed = false;
try {
  for (const name of chosen) {
    const t0 = Date.now();
    context.log(`${name}…`);
    try {
      const section = await SECTIONS[name]();
      results.sections[name] = await section.run(context);
    } catch (error) {
      failed = true;
      results.sections[name] = { error: String(error?.stack ?? error) };
      process.stderr.write(`bench: ${name} failed: ${error?.stack ?? error}\n`);
    }
    results.sections[name].seconds = Math.round((Date.now() - t0) / 100) / 10;
    context.log(`${name} took ${results.sections[name].seconds} s`);
    save();
  }
} finally {
  if (browser) {
    const bySdk = browser.attempts.filter((a) => a.who !== 'chromium');
    process.stdout.write(
      `\nChromium ${browser.version}. Requests that tried to leave the machine: ${bySdk.length} from the SDKs' pages` +
        `${bySdk.length ? ` (${[...new Set(bySdk.map((a) => `${a.who} → ${a.target}`))].slice(0, 20).join('; ')})` : ''}` +
        `, ${browser.attempts.length - bySdk.length} from Chromium itself (refused, not counted).\n`,
    );
    await browser.close();
  }
}
save();
process.stdout.write(`\nTook ${machine.seconds} s; load average ${machine.loadAverageAtEnd.join(' ')} at the end. Figures in ${relative(process.cwd(), out)}\n`);
process.exit(failed ? 1 : 0);
