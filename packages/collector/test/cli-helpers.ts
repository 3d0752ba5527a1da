// The `waybill-collector` command as it ships: built with the repository's own rollup
// configuration into a scratch copy of the package (packages/collector/dist is left alone), with
// its runtime dependencies copied beside it, and run in child processes.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { afterAll, beforeAll, onTestFinished } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = join(repo, 'packages/collector');
let build: string;
/** The command's script, once built (in `beforeAll`). */
export let bin: string;

/** Needed to install a package, not to run it. */
const INSTALL_ONLY = new Set(['prebuild-install']);
/** Folders of the copied packages that running never reads: sources, native build leftovers. */
const UNREAD = new Set(['deps', 'src', 'obj.target', '.deps', 'test', 'docs']);

/** The real folder of package `name` as Node would find it from `from` (a package folder). */
function packageDir(from: string, name: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error(`cannot find ${name} from ${from}`);
}

/**
 * Copies the runtime dependencies of the package in `from` (and theirs) into `to/node_modules`,
 * so that the copy runs on its own: wherever the repository is cloned, even in a folder that
 * other users cannot enter (the command runs as `nobody` in one test).
 */
function copyDependencies(from: string, to: string, seen = new Set<string>()): void {
  const { dependencies = {} } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies)) {
    // Workspace packages too: forwarding runs @waybill/tiktok's and @waybill/ga4's mapping tables (their dist).
    if (INSTALL_ONLY.has(name) || seen.has(name)) continue;
    seen.add(name);
    const dir = packageDir(from, name);
    // Some packages (postgres) run from their src/ folder: that one is read.
    const runsFromSrc = /"\.?\/?src\//.test(readFileSync(join(dir, 'package.json'), 'utf8'));
    cpSync(dir, join(to, 'node_modules', name), {
      recursive: true,
      dereference: true,
      filter: (path) => !(UNREAD.has(basename(path)) && !(runsFromSrc && path === join(dir, 'src'))) && basename(path) !== 'node_modules',
    });
    copyDependencies(dir, to, seen);
  }
}

/** Builds the command before the tests of the file that calls this, and removes it after. */
export function useCli(): void {
  beforeAll(buildCli, 60_000);
  afterAll(() => rmSync(build, { recursive: true, force: true }));
}

async function buildCli(): Promise<void> {
  build = mkdtempSync(join(tmpdir(), 'waybill-cli-'));
  const configs = (await import(pathToFileURL(join(repo, 'rollup.config.mjs')).href)).default as RollupOptions[];
  const config = configs.find((c) => (c.output as OutputOptions).file === 'packages/collector/dist/index.js');
  if (!config) throw new Error('rollup.config.mjs has no build of packages/collector/dist/index.js');
  const bundle = await rollup({ ...config, input: join(pkg, 'src/index.ts'), output: undefined });
  await bundle.write({ ...(config.output as OutputOptions), file: join(build, 'dist/index.js') });
  await bundle.close();
  mkdirSync(join(build, 'bin'));
  bin = join(build, 'bin/waybill-collector.js');
  copyFileSync(join(pkg, 'bin/waybill-collector.js'), bin);
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { files: string[] };
  // What else the package ships (schema/, dashboard/), as its `files` list says.
  for (const entry of manifest.files.filter((f) => f !== 'dist' && f !== 'bin')) cpSync(join(pkg, entry), join(build, entry), { recursive: true });
  copyFileSync(join(pkg, 'package.json'), join(build, 'package.json'));
  copyDependencies(pkg, build);
  chmodSync(build, 0o755); // readable by an unprivileged user (see asUser)
}

/**
 * Permissions do not stop root: run as `nobody` then, so that a read-only file is read-only.
 * (Files the command must write need to be writable by others.)
 */
export const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Spawns the command (with `env` added to this process's environment); it is killed after the test if still running. */
export function run(args: string[], user: { uid?: number; gid?: number } = {}, env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...user, env: { ...process.env, ...env } });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /^waybill collector listening on (http:\/\/\S+)\n/.exec(out.stdout);
      if (match) resolve(match[1]!);
    });
    void exit.then((code) => reject(new Error(`exited with ${code} before listening: ${out.stderr}`)));
  });
  listening.catch(() => {}); // only some tests wait for it
  return { child, out, exit, listening };
}
