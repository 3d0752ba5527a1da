// WebKit (WebKitGTK's MiniBrowser, Safari's engine) through webdriverio and WebKitWebDriver
// (WebDriver classic: WebKitGTK has no BiDi). MiniBrowser needs a display: each browser gets an
// Xvfb of its own, so the tests need no `xvfb-run` and never open a window on a desktop.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { remote } from 'webdriverio';
import { type Browser, type EnginePage, type LaunchOptions } from './driver';

/** `WEBKIT_MINIBROWSER`, else WebKitGTK 4.1's MiniBrowser wherever the distribution keeps it. */
export function findMiniBrowser(): string | undefined {
  const candidates = [process.env.WEBKIT_MINIBROWSER, '/usr/libexec/webkit2gtk-4.1/MiniBrowser'];
  try {
    for (const dir of readdirSync('/usr/lib')) candidates.push(`/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`);
  } catch {}
  return candidates.find((path) => path && existsSync(path));
}

/** Processes this module started, ended when the worker exits however it exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

const started = (command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess => {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

/** Start an Xvfb on a free display; resolves with its `:N` once it accepts clients. */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  return new Promise((done, fail) => {
    // -displayfd: Xvfb picks a free display itself and writes its number to fd 3 when ready.
    const xvfb = started('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let err = '';
    xvfb.stderr!.on('data', (chunk: Buffer) => (err += chunk));
    xvfb.once('error', fail);
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited (${code}) before it was ready: ${err.slice(-500)}`)));
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('\n')) done({ display: `:${out.trim()}`, process: xvfb });
    });
  });
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

async function startDriver(display: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const driver = started('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const failed = new Promise<never>((_, fail) => {
    driver.once('error', fail);
    driver.once('exit', (code) => fail(new Error(`WebKitWebDriver exited (${code}) on port ${port}`)));
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ready = await Promise.race([fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false), failed]);
    if (ready) return { port, process: driver };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(driver);
  throw new Error('WebKitWebDriver did not answer within 15 s');
}

export async function launchWebKit(_options: LaunchOptions): Promise<Browser> {
  const binary = findMiniBrowser();
  if (!binary) throw new Error('no WebKitGTK MiniBrowser: run `node e2e/engines/ensure-engines.mjs` (or set WEBKIT_MINIBROWSER)');
  const xvfb = await startXvfb();
  let driver: Awaited<ReturnType<typeof startDriver>>;
  try {
    driver = await startDriver(xvfb.display);
  } catch (error) {
    await stop(xvfb.process);
    throw error;
  }
  const newSession = () =>
    remote({
      hostname: '127.0.0.1',
      port: driver.port,
      logLevel: 'error',
      // One attempt: a failure here is a real failure, not a flaky network.
      connectionRetryCount: 0,
      capabilities: { 'webkitgtk:browserOptions': { binary, args: ['--automation'] } } as WebdriverIO.Capabilities,
    });
  // One WebDriver session is one MiniBrowser with its own (ephemeral) website data: a page each.
  const first = await newSession();
  const version = String(first.capabilities.browserVersion);
  let spare: typeof first | undefined = first;
  return {
    engine: 'webkit',
    version,
    async newPage() {
      const session = spare ?? (await newSession());
      spare = undefined;
      return wrap(session);
    },
    async close() {
      await spare?.deleteSession().catch(() => {});
      await stop(driver.process);
      await stop(xvfb.process);
    },
  };
}

const wrap = (session: WebdriverIO.Browser): EnginePage => {
  const page: EnginePage = {
    engine: 'webkit',
    async goto(url, waitUntil = 'load') {
      if (waitUntil === 'load') return void (await session.url(url));
      // WebKitWebDriver answers no command while a document is loading (its 'eager' strategy
      // breaks Back), so a page held before `load` cannot be waited on: start the navigation
      // and return. The page must say itself when it is ready (see watcherScript's note()).
      await session.execute((to: string) => void (location.href = to), url);
    },
    evaluate: (fn, arg) => session.execute(fn as never, arg) as never,
    // The driver's own Back: after a history.back() from script, WebKitWebDriver sometimes loses
    // the page restored from the back/forward cache (every later command fails with "unknown error").
    back: () => session.back(),
    async cookies() {
      return (await session.getCookies()).map(({ name, value, domain = '', path = '/', httpOnly = false }) => ({ name, value, domain, path, httpOnly }));
    },
    close: () => session.deleteSession(),
  };
  return page;
};
