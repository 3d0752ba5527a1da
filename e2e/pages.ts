// Shop pages in the two ways a shop installs Waybill: the script tag (inline stub plus the
// async IIFE, configured by data-* attributes) and npm (ES modules through an import map).
// Either way the page gets `wb(command, ...args)` with the script tag's command syntax,
// so one page script runs in both modes.
import { readStub } from './server';

/** How the page installs the SDK. */
export type Mode = 'script' | 'npm';

/** Options of {@link shopPage}. */
export interface ShopPageOptions {
  mode: Mode;
  /**
   * The page's own script, run once the SDK is set up (npm) or right after the async
   * script tag (script tag: calls then go to the stub's queue). Use `wb('track', ...)` etc.;
   * do not rely on top-level declarations being global (in npm mode it runs in a module).
   */
  script?: string;
  batchSize?: number;
  flushInterval?: number;
  title?: string;
  /** More attributes for the script tag (script mode), e.g. `data-web-vitals`. */
  attributes?: string;
}

const IMPORT_MAP = {
  imports: {
    '@waybill/core': '/pkg/core/index.js',
    '@waybill/first-party': '/pkg/first-party/index.js',
    'idb-keyval': '/node_modules/idb-keyval/dist/index.js',
    '@waybill/web-vitals': '/pkg/web-vitals/index.js',
    '@waybill/web-vitals/attribution': '/pkg/web-vitals/attribution.js',
    'web-vitals': '/node_modules/web-vitals/dist/web-vitals.js',
    'web-vitals/attribution': '/node_modules/web-vitals/dist/web-vitals.attribution.js',
  },
};

// Set at the end of the page's own script: proof that the script ran to its end.
const DONE = 'window.pageScriptDone = true;';

/** HTML of a shop page using the built SDK. */
export function shopPage({ mode, script = '', batchSize, flushInterval, title = 'Waybill test shop', attributes = '' }: ShopPageOptions): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>`;
  const body = `</head><body><h1>${title}</h1></body></html>`;
  if (mode === 'script') {
    const attrs = [
      'data-endpoint="/collect"',
      'data-debug',
      batchSize === undefined ? '' : `data-batch-size="${batchSize}"`,
      flushInterval === undefined ? '' : `data-flush-interval="${flushInterval}"`,
      attributes,
    ].join(' ');
    return `${head}
<script>${readStub()}</script>
<script async src="/waybill.min.js" ${attrs}></script>
<script>
  // The shop calls the global each time, as its own code would (the bundle replaces the stub).
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  ${script}
  ${DONE}
</script>${body}`;
  }
  const options = JSON.stringify({ debug: true, batchSize, flushInterval });
  return `${head}
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module">
  import { createTracker } from '@waybill/core';
  import { firstParty } from '@waybill/first-party';
  const tracker = createTracker({ destinations: [firstParty({ endpoint: '/collect' })], ...${options} });
  window.tracker = tracker;
  window.createTracker = createTracker;
  window.firstParty = firstParty;
  window.wb = (command, ...args) => (command === 'consent' ? tracker.consent.update(args[0]) : tracker[command](...args));
  window.sdk = () => tracker;
  ${script}
  ${DONE}
</script>${body}`;
}

/** A page of the same site without the SDK (somewhere to navigate to). */
export const plainPage = (title = 'Elsewhere'): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><p>${title}</p></body></html>`;
