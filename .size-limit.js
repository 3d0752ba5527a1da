// size-limit budgets (brotli unless said otherwise). Budgets only go down.
// Each limit sits just above the measured size, so CI catches any growth; a limit that has to
// rise (a bug fix that costs bytes) says why in its commit message.
// Each entry imports the built packages the way a shop would. esbuild is told to ignore our
// tsconfig `paths`, which point `@waybill/*` at sources for typechecking and would
// otherwise pull a second copy of core into adapter measurements.
const noPaths = (config) => ({ ...config, tsconfigRaw: '{}' });

export default [
  {
    "name": "core + first-party (npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/first-party/dist/index.js": "{ firstParty }"
    },
    "limit": "6.28 kB"
  },
  {
    "name": "core alone (npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }"
    },
    "limit": "5.06 kB"
  },
  {
    "name": "tiktok adapter (core + tiktok, npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/tiktok/dist/index.js": "{ tiktok }"
    },
    "limit": "6.02 kB"
  },
  {
    "name": "ga4 adapter (core + ga4, npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/ga4/dist/index.js": "{ ga4 }"
    },
    "limit": "6.05 kB"
  },
  {
    "name": "react binding (core + @waybill/react, npm; react itself not counted)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/react/dist/index.js": "{ WaybillProvider, useWaybill, useConsent, usePageViews }"
    },
    "ignore": ["react"],
    "limit": "5.44 kB"
  },
  {
    "name": "vue binding (core + @waybill/vue, npm; vue itself not counted)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/vue/dist/index.js": "{ waybill, useWaybill, useConsent }"
    },
    "ignore": ["vue"],
    "limit": "5.29 kB"
  },
  {
    "name": "consent: tcf bridge (npm)",
    "import": {
      "packages/consent/dist/index.js": "{ tcf }"
    },
    "limit": "400 B"
  },
  {
    "name": "consent: oneTrust bridge (npm)",
    "import": {
      "packages/consent/dist/index.js": "{ oneTrust }"
    },
    "limit": "320 B"
  },
  {
    "name": "consent: cookiebot bridge (npm)",
    "import": {
      "packages/consent/dist/index.js": "{ cookiebot }"
    },
    "limit": "280 B"
  },
  {
    "name": "consent: cookieConsent bridge (npm)",
    "import": {
      "packages/consent/dist/index.js": "{ cookieConsent }"
    },
    "limit": "300 B"
  },
  {
    "name": "consent: gpc (npm)",
    "import": {
      "packages/consent/dist/index.js": "{ gpc }"
    },
    "limit": "180 B"
  },
  // @waybill/web-vitals: the plugin may add at most 0.25 kB over the web-vitals library it imports,
  // so the library is measured alone too (its own growth shows there, not as ours).
  {
    "name": "web-vitals library alone (onCLS, onFCP, onINP, onLCP, onTTFB)",
    "import": {
      "packages/web-vitals/node_modules/web-vitals/dist/web-vitals.js": "{ onCLS, onFCP, onINP, onLCP, onTTFB }"
    },
    "limit": "2.92 kB"
  },
  {
    "name": "web-vitals plugin + web-vitals (npm)",
    "import": {
      "packages/web-vitals/dist/index.js": "{ webVitals }"
    },
    "limit": "3.12 kB"
  },
  {
    "name": "web-vitals attribution build alone",
    "import": {
      "packages/web-vitals/node_modules/web-vitals/dist/web-vitals.attribution.js": "{ onCLS, onFCP, onINP, onLCP, onTTFB }"
    },
    "limit": "5.12 kB"
  },
  {
    "name": "web-vitals plugin, attribution + web-vitals/attribution (npm)",
    "import": {
      "packages/web-vitals/dist/attribution.js": "{ webVitals }"
    },
    "limit": "5.36 kB"
  },
  {
    "name": "script tag: waybill.min.js (core, first-party, tiktok, ga4, all consent bridges)",
    "path": "packages/browser/dist/waybill.min.js",
    "limit": "9.04 kB"
  },
  // The same file as a shop serves it: brotli of the file itself. The entry above re-bundles it
  // with esbuild first, whose renaming of the already minified code compresses about 0.4 kB worse.
  {
    "name": "script tag: waybill.min.js as served (the file itself, not re-bundled)",
    "path": "packages/browser/dist/waybill.min.js",
    "disablePlugins": ["@size-limit/esbuild"],
    "limit": "8.60 kB"
  },
  {
    "name": "script tag add-on: waybill-vitals.min.js (data-web-vitals)",
    "path": "packages/browser/dist/waybill-vitals.min.js",
    "limit": "3.11 kB"
  },
  {
    "name": "script tag add-on: waybill-vitals-attribution.min.js (data-web-vitals=\"attribution\")",
    "path": "packages/browser/dist/waybill-vitals-attribution.min.js",
    "limit": "5.32 kB"
  },
  {
    "name": "script tag: stub, minified (not compressed)",
    "path": "packages/browser/dist/waybill-stub.js",
    "brotli": false,
    "gzip": false,
    "limit": "105 B"
  }
].map((entry) => ({ ...entry, modifyEsbuildConfig: noPaths }));
