// Every SDK is bundled from its entry in sdks/ with the same esbuild settings, the way a shop's
// bundler would: minified, ES modules, dynamic imports split into lazy chunks.
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { BENCH, ROOT } from './paths.mjs';

/** The peers, in table order: entry file in sdks/, and the npm package whose version is shown. */
export const PEERS = [
  { id: 'segment', label: 'Segment', pkg: '@segment/analytics-next' },
  { id: 'posthog', label: 'PostHog', pkg: 'posthog-js' },
  { id: 'snowplow', label: 'Snowplow', pkg: '@snowplow/browser-tracker' },
  { id: 'rudderstack', label: 'RudderStack', pkg: '@rudderstack/analytics-js' },
  { id: 'plausible', label: 'Plausible', pkg: '@plausible-analytics/tracker' },
];

/** The SDKs the browser sections run: Waybill's npm build first (the reference), then the peers. */
export const BROWSER_SDKS = [{ id: 'waybill', label: 'Waybill npm', pkg: '@waybill/core' }, ...PEERS];

/** Packages with an entry of their own below; any other package in packages/ is measured as a binding. */
const KNOWN = new Set(['core', 'first-party', 'tiktok', 'ga4', 'browser', 'collector']);

const OUT = join(BENCH, '.out', 'bundles');

/** The installed version of a package the bench depends on. */
export function versionOf(pkg) {
  if (pkg.startsWith('@waybill/')) return readJson(join(ROOT, 'packages', pkg.slice(9), 'package.json')).version;
  return readJson(join(BENCH, 'node_modules', pkg, 'package.json')).version;
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** `@waybill/x` is the built package (`packages/x/dist`), as a shop installing it would get. */
const waybillDist = {
  name: 'waybill-dist',
  setup(b) {
    b.onResolve({ filter: /^@waybill\/[\w-]+$/ }, ({ path }) => {
      const file = join(ROOT, 'packages', path.slice(9), 'dist', 'index.js');
      if (!existsSync(file)) return { errors: [{ text: `${relative(ROOT, file)} is missing: run \`pnpm build\`` }] };
      return { path: file };
    });
  },
};

/**
 * Bundles one entry into `.out/bundles/<id>/`. Returns the output files with their minified
 * and brotli sizes, split into what the entry loads before it runs (itself and its static
 * imports) and the lazy chunks behind dynamic imports.
 */
export async function bundle(id, entry, { external = [] } = {}) {
  const outdir = join(OUT, id);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { [id]: entry },
    outdir,
    absWorkingDir: ROOT, // metafile paths are relative to it
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    chunkNames: 'chunk-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    external,
    metafile: true,
    logLevel: 'silent',
    plugins: [waybillDist],
  });
  const outputs = result.metafile.outputs;
  const entryFile = Object.keys(outputs).find((file) => outputs[file].entryPoint && file.endsWith('.js'));
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const imp of outputs[file].imports) if (imp.kind === 'import-statement' && outputs[imp.path]) visit(imp.path);
  };
  visit(entryFile);
  const files = Object.keys(outputs).filter((file) => file.endsWith('.js'));
  const sized = files.map((file) => ({ file, initial: initial.has(file), ...sizes(readFileSync(join(ROOT, file))) }));
  const sum = (list, key) => list.reduce((total, f) => total + f[key], 0);
  const first = sized.filter((f) => f.initial);
  return {
    id,
    url: `/bundles/${id}/${id}.js`,
    minified: sum(first, 'minified'),
    brotli: sum(first, 'brotli'),
    totalBrotli: sum(sized, 'brotli'),
    chunks: sized.length,
  };
}

/** Minified and brotli (quality 11, as size-limit) bytes of a file's contents. */
export function sizes(buffer) {
  const brotli = brotliCompressSync(buffer, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  }).length;
  return { minified: buffer.length, brotli };
}

/** The folder the site serves bundles from. */
export const BUNDLES = OUT;

/**
 * Waybill's binding packages (any package but the ones with entries of their own): each is
 * measured as core + first-party + every export of the binding, its framework external.
 */
export function bindings() {
  return readdirSync(join(ROOT, 'packages'))
    .filter((name) => !KNOWN.has(name) && existsSync(join(ROOT, 'packages', name, 'package.json')))
    .map((name) => {
      const pkg = readJson(join(ROOT, 'packages', name, 'package.json'));
      const peers = Object.keys({ ...pkg.peerDependencies }).filter((dep) => !dep.startsWith('@waybill/'));
      return { name, pkg: pkg.name, external: peers, built: existsSync(join(ROOT, 'packages', name, 'dist', 'index.js')) };
    });
}

/** Writes a generated entry (for a binding) and returns its path. */
export function generatedEntry(name, source) {
  const dir = join(BENCH, '.out', 'entries');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.js`);
  writeFileSync(file, source);
  return file;
}

/** Bundles every SDK the browser sections run (cached for the run). */
let browserBundles;
export function browserBundlesOnce() {
  browserBundles ??= Promise.all(BROWSER_SDKS.map((sdk) => bundle(sdk.id, join(BENCH, 'sdks', `${sdk.id}.js`)))).then(
    (list) => Object.fromEntries(list.map((b) => [b.id, b])),
  );
  return browserBundles;
}

/** {@link BROWSER_SDKS} with their installed versions. */
export const browserSdks = () => BROWSER_SDKS.map((sdk) => ({ ...sdk, version: versionOf(sdk.pkg) }));
