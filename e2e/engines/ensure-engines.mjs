#!/usr/bin/env node
// Makes sure the cross-engine suite has its browsers: Firefox ESR, WebKitGTK's WebDriver and
// MiniBrowser, and Xvfb for MiniBrowser's display. As root where apt-get exists, installs
// Debian's packages for what is missing; otherwise says what to install. (Chromium: see
// e2e/ensure-chromium.mjs.) Playwright's own Firefox and WebKit builds are not used.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const say = (message) => console.log(`[ensure-engines] ${message}`);

const onPath = (command) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${command}`));

const miniBrowser = () => {
  const candidates = [process.env.WEBKIT_MINIBROWSER, '/usr/libexec/webkit2gtk-4.1/MiniBrowser'];
  try {
    for (const dir of readdirSync('/usr/lib')) candidates.push(`/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`);
  } catch {}
  return candidates.find((path) => path && existsSync(path));
};

/** What the suite needs, how to tell it is there, and the Debian package that brings it. */
const NEEDS = [
  { what: 'Firefox', found: () => [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => p && existsSync(p)), pkg: 'firefox-esr' },
  { what: 'WebKitWebDriver', found: () => onPath('WebKitWebDriver') && 'WebKitWebDriver', pkg: 'webkit2gtk-driver' },
  { what: 'MiniBrowser (WebKitGTK)', found: miniBrowser, pkg: 'webkit2gtk-driver' },
  { what: 'Xvfb', found: () => onPath('Xvfb') && 'Xvfb', pkg: 'xvfb' },
];

const missing = () => NEEDS.filter((need) => !need.found());

let absent = missing();
if (absent.length && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  const packages = [...new Set(absent.map((need) => need.pkg))];
  say(`missing ${absent.map((need) => need.what).join(', ')}; installing ${packages.join(' ')} with apt-get (running as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  // The package lists may be stale or absent on a fresh machine: refresh them only if the install fails.
  if (!run(['install', '-y', ...packages])) run(['update']) && run(['install', '-y', ...packages]);
  absent = missing();
}

if (absent.length) {
  console.error(`[ensure-engines] Missing for the cross-engine tests: ${absent.map((need) => need.what).join(', ')}.
Install (Debian/Ubuntu): sudo apt-get install ${[...new Set(absent.map((need) => need.pkg))].join(' ')}
or point FIREFOX_PATH / WEBKIT_MINIBROWSER at your own builds. One engine only: npx playwright test -c e2e/engines --project=chromium`);
  process.exit(1);
}
for (const need of NEEDS) say(`${need.what}: ${need.found()}`);
