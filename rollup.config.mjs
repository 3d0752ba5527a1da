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
    const m = /^@waybill\/([\w-]+)$/.exec(id);
    if (m && inline) return resolve(`packages/${m[1]}/src/index.ts`);
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

const external = (id) => /^@waybill\//.test(id) || id === 'idb-keyval' || id === 'better-sqlite3' || id.startsWith('node:') || builtinModules.includes(id);

// Internal fields and methods end in `_` (`lane.ready_`) and are renamed at build time, as
// preact and web-vitals do; a trailing `_` cannot match TikTok's `ttq._i`. The short names are
// pinned in mangle.json so every build (and every bundle) uses the same ones, and the names
// of stored formats are never handed out.
const MANGLE = JSON.parse(readFileSync('mangle.json', 'utf8'));
const pinned = Object.fromEntries(Object.entries(MANGLE.props).map(([name, short]) => ['$' + name, short]));
/** One terser name cache per bundle; after the build, names terser had to invent are reported. */
const nameCaches = [];
const min = (extra = {}) => {
  const nameCache = { props: { props: { ...pinned } } };
  nameCaches.push(nameCache);
  return terser({
    ecma: 2020,
    module: true,
    compress: { passes: 2, pure_getters: true, unsafe_arrows: true },
    format: { comments: false },
    nameCache,
    ...extra,
    // `cache: false`: the name cache pins property names only, never top-level variables.
    mangle: { ...extra.mangle, cache: false, properties: { regex: new RegExp(MANGLE.regex), reserved: MANGLE.reserved } },
  });
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

/** ESM + .d.ts for a package. Browser packages ship minified with source maps (as web-vitals does), so every shop gets the small version. */
const esm = (name, browser = true) => [
  { input: `packages/${name}/src/index.ts`, external, plugins: [typescript(false), browser && min()], output: { file: `packages/${name}/dist/index.js`, format: 'es', sourcemap: true } },
  { input: `packages/${name}/src/index.ts`, external, plugins: [dts({ tsconfig: 'tsconfig.base.json', respectExternal: false })], output: { file: `packages/${name}/dist/index.d.ts`, format: 'es' } },
];

const copyToDemo = () => ({
  name: 'copy-to-demo',
  writeBundle(opts) {
    mkdirSync('examples/storefront', { recursive: true });
    copyFileSync(opts.file, `examples/storefront/${opts.file.split('/').pop()}`);
  },
});


export default [
  ...esm('core'),
  ...esm('first-party'),
  // Adapters are built when their package exists (they land one at a time).
  ...['tiktok', 'ga4', 'consent'].filter((name) => existsSync(`packages/${name}/src/index.ts`)).flatMap((name) => esm(name)),
  ...esm('collector', false),
  {
    // The script-tag bundle: core + first-party, configured by data-* attributes.
    input: 'packages/browser/src/index.ts',
    plugins: [typescript(true), nodeResolve({ browser: true }), min({ module: false })],
    output: { file: 'packages/browser/dist/waybill.min.js', format: 'iife', plugins: [copyToDemo()] },
  },
  {
    // The copy-paste stub, also shipped as a file.
    input: 'packages/browser/src/stub.ts',
    plugins: [typescript(true), min({ module: false, mangle: { toplevel: true } })],
    output: { file: 'packages/browser/dist/waybill-stub.js', format: 'es', plugins: [copyToDemo(), pinMangledNames()] },
  },
];
