// One build for every package. TypeScript is only transpiled here (tsc --noEmit
// checks types in `pnpm typecheck`); declarations are bundled by rollup-plugin-dts.
import { readFileSync, existsSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import terser from '@rollup/plugin-terser';
import nodeResolve from '@rollup/plugin-node-resolve';
import { dts } from 'rollup-plugin-dts';

const pkg = (name) => JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
const VERSION = pkg('core').version;

/** Transpile .ts and fold build constants. Resolves `@waybill/x` to source when bundling it in. */
const typescript = (inline) => ({
  name: 'waybill-ts',
  resolveId(id, importer) {
    // `@waybill/x` is packages/x/src/index.ts; a subpath export `@waybill/x/y` is packages/x/src/y.ts.
    const m = /^@waybill\/([\w-]+)(?:\/([\w-]+))?$/.exec(id);
    if (m && inline) return resolve(`packages/${m[1]}/src/${m[2] || 'index'}.ts`);
    if (importer && id.startsWith('.') && !id.endsWith('.ts')) {
      const file = resolve(dirname(importer), id + '.ts');
      if (existsSync(file)) return file;
    }
    return null;
  },
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const out = ts.transpileModule(code, {
      compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, sourceMap: true, verbatimModuleSyntax: true },
      fileName: id,
    });
    return { code: out.outputText.replaceAll('__VERSION__', JSON.stringify(VERSION)), map: out.sourceMapText };
  },
});

const external = (id) => /^@waybill\//.test(id) || id === 'idb-keyval' || /^web-vitals(\/|$)/.test(id) || id === 'react' || id === 'vue' || id === 'better-sqlite3' || id === 'postgres' || id.startsWith('node:') || builtinModules.includes(id);

// Internal fields and methods end in `_` (`lane.ready_`) and are renamed at build time, as
// preact and web-vitals do; a trailing `_` cannot match TikTok's `ttq._i`. The short names are
// pinned in mangle.json so every build (and every bundle) uses the same ones, and the names
// of stored formats are never handed out.
const MANGLE = JSON.parse(readFileSync('mangle.json', 'utf8'));
const pinned = Object.fromEntries(Object.entries(MANGLE.props).map(([name, short]) => ['$' + name, short]));
/** One terser name cache per bundle; after the build, names terser had to invent are reported. */
const nameCaches = [];
const compress = { passes: 2, pure_getters: true, unsafe_arrows: true };
const min = (extra = {}) => terser({ ecma: 2020, module: true, compress, format: { comments: false }, ...extra });
/** `min` for the bundles that hold core's sources (its ESM and the script tag): with its internal names mangled. */
const minCore = (extra = {}) => {
  const nameCache = { props: { props: { ...pinned } } };
  nameCaches.push(nameCache);
  // `cache: false`: the name cache pins property names only, never top-level variables.
  return min({ nameCache, ...extra, mangle: { ...extra.mangle, cache: false, properties: { regex: new RegExp(MANGLE.regex), reserved: MANGLE.reserved } } });
};

/** After the last bundle: fail on a mangled name missing from mangle.json (in CI), or add it (locally). */
const pinMangledNames = () => ({
  name: 'pin-mangled-names',
  writeBundle() {
    const added = {};
    for (const cache of nameCaches) {
      for (const [key, short] of Object.entries(cache.props.props)) if (!(key in pinned)) added[key.slice(1)] = short;
    }
    if (!Object.keys(added).length) return;
    if (process.env.CI) throw new Error(`mangle.json does not pin ${Object.keys(added).join(', ')}: run the build locally and commit mangle.json`);
    MANGLE.props = Object.fromEntries(Object.entries({ ...MANGLE.props, ...added }).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync('mangle.json', JSON.stringify(MANGLE, null, 2) + '\n');
    console.warn(`mangle.json: pinned ${Object.keys(added).join(', ')}; build again, then commit it`);
  },
});

/**
/**
 * ESM + .d.ts for a package (or one of its subpath `entry` modules). Browser packages ship minified with source maps (as web-vitals does),
 * so every shop gets the small version; `browser` is 'core' for core, whose internal names are mangled.
 * `banner` is a directive for the top of the module, which terser is told to keep.
 */
const esm = (name, browser = true, banner, entry = 'index') => [
  {
    input: `packages/${name}/src/${entry}.ts`,
    external,
    plugins: [typescript(false), browser && (browser == 'core' ? minCore : min)(banner && { compress: { ...compress, directives: false } })],
    output: { file: `packages/${name}/dist/${entry}.js`, format: 'es', sourcemap: true, banner },
  },
  { input: `packages/${name}/src/${entry}.ts`, external, plugins: [dts({ tsconfig: 'tsconfig.base.json', respectExternal: false })], output: { file: `packages/${name}/dist/${entry}.d.ts`, format: 'es' } },
];

/** @waybill/web-vitals and @waybill/web-vitals/attribution. */
const VITALS_ENTRIES = { index: 'packages/web-vitals/src/index.ts', attribution: 'packages/web-vitals/src/attribution.ts' };

const copyToDemo = () => ({
  name: 'copy-to-demo',
  writeBundle(opts) {
    mkdirSync('examples/storefront', { recursive: true });
    copyFileSync(opts.file, `examples/storefront/${opts.file.split('/').pop()}`);
  },
});


export default [
  ...esm('core', 'core'),
  ...esm('first-party'),
  // Adapters are built when their package exists (they land one at a time).
  ...['tiktok', 'ga4', 'consent'].filter((name) => existsSync(`packages/${name}/src/index.ts`)).flatMap((name) => esm(name)),
  // The vendor mappings, `@waybill/tiktok/events` and `@waybill/ga4/events`: shared with the collector's forwarding.
  ...esm('tiktok', true, undefined, 'events'),
  ...esm('ga4', true, undefined, 'events'),
  // Framework bindings: react and vue stay the shop's own (peer dependencies).
  // 'use client': Next.js (React Server Components) may import the hooks only into client components.
  ...esm('react', true, "'use client';"),
  ...esm('vue'),
  ...esm('collector', false),
  // web-vitals: the attribution build is its own entry (a separate import), and both entries
  // share one chunk, so one registry of started trackers stops either from reporting twice.
  {
    input: VITALS_ENTRIES,
    external,
    plugins: [typescript(false), min()],
    output: { dir: 'packages/web-vitals/dist', format: 'es', sourcemap: true, chunkFileNames: '[name].js' },
  },
  {
    input: VITALS_ENTRIES,
    external,
    plugins: [dts({ tsconfig: 'tsconfig.base.json', respectExternal: false })],
    output: { dir: 'packages/web-vitals/dist', format: 'es', chunkFileNames: '[name].d.ts' },
  },
  {
    // The script-tag bundle: core + first-party, configured by data-* attributes.
    input: 'packages/browser/src/index.ts',
    plugins: [typescript(true), nodeResolve({ browser: true }), minCore({ module: false })],
    output: { file: 'packages/browser/dist/waybill.min.js', format: 'iife', plugins: [copyToDemo()] },
  },
  // The Core Web Vitals add-ons waybill.min.js loads for data-web-vitals (="attribution"):
  // web-vitals is about 3 kB brotli, too much to put in every shop's script tag.
  ...['vitals', 'vitals-attribution'].map((name) => ({
    input: `packages/browser/src/${name}.ts`,
    plugins: [typescript(true), nodeResolve({ browser: true }), min({ module: false })],
    output: { file: `packages/browser/dist/waybill-${name}.min.js`, format: 'iife' },
  })),
  {
    // The copy-paste stub, also shipped as a file.
    input: 'packages/browser/src/stub.ts',
    plugins: [typescript(true), min({ module: false, mangle: { toplevel: true } })],
    output: { file: 'packages/browser/dist/waybill-stub.js', format: 'es', plugins: [copyToDemo(), pinMangledNames()] },
  },
];
