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
    "limit": "4.41 kB"
  },
  {
    "name": "core alone (npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }"
    },
    "limit": "3.81 kB"
  },
  {
    "name": "tiktok adapter (core + tiktok, npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/tiktok/dist/index.js": "{ tiktok }"
    },
    "limit": "4.73 kB"
  },
  {
    "name": "ga4 adapter (core + ga4, npm)",
    "import": {
      "packages/core/dist/index.js": "{ createTracker }",
      "packages/ga4/dist/index.js": "{ ga4 }"
    },
    "limit": "4.76 kB"
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
  {
    "name": "script tag: waybill.min.js (core, first-party, tiktok, ga4, all consent bridges)",
    "path": "packages/browser/dist/waybill.min.js",
    "limit": "7.09 kB"
  },
  {
    "name": "script tag: stub, minified (not compressed)",
    "path": "packages/browser/dist/waybill-stub.js",
    "brotli": false,
    "gzip": false,
    "limit": "120 B"
  }
].map((entry) => ({ ...entry, modifyEsbuildConfig: noPaths }));
