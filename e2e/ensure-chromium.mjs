#!/usr/bin/env node
// Makes sure Playwright has a Chromium to drive, installing one when there is none:
// Debian's `chromium` package when running as root where apt-get exists, else
// Playwright's own download. Prints what it found or did; writes nothing else.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium, SYSTEM_CHROMIUMS } from './chromium.mjs';

const say = (message) => console.log(`[ensure-chromium] ${message}`);

/** Run a command with its output streamed; true when it exited 0. */
const run = (command, args, env = {}) => {
  say(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) say(`${command} failed to start: ${result.error.message}`);
  return result.status === 0;
};

const report = (found) => say(`using ${found.path} (${found.source})`);

if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH)) {
  say(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist; looking elsewhere`);
}

let found = findChromium();
if (found) {
  report(found);
  process.exit(0);
}

const isRoot = process.getuid?.() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  say('no Chromium found; installing Debian\'s "chromium" package with apt-get (running as root)');
  const apt = { DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update'], apt) && run('apt-get', ['install', '-y', 'chromium'], apt)) found = findChromium();
  if (!found) say('apt-get did not provide a Chromium');
}

if (!found) {
  say('trying Playwright\'s own download: npx playwright install chromium');
  // --no-install: use the project's Playwright (matching version), never fetch another one.
  if (run('npx', ['--no-install', 'playwright', 'install', 'chromium'])) found = findChromium();
}

if (found) {
  report(found);
  process.exit(0);
}

console.error(`[ensure-chromium] No Chromium for the end-to-end tests.
Install one of:
  - Debian/Ubuntu: sudo apt-get install chromium   (gives ${SYSTEM_CHROMIUMS[0]})
  - Playwright's build: npx playwright install chromium   (needs network access to its download host)
or point CHROMIUM_PATH at a Chromium or Chrome executable.`);
process.exit(1);
