// Script-tag pages for the consent bridges: the inline stub, the bundle with data-consent, and
// room for a CMP before or after it. The page gets the same `wb(...)` / `sdk()` helpers as the
// pages of ../pages.ts, so the shared fixtures (sdkReady, flush, waitForEvents) work on it.
import { readStub } from '../server';

export interface BridgePageOptions {
  /** `data-consent` of the script tag; none when undefined. */
  consent?: string;
  /** `data-respect-gpc="false"` when false. */
  respectGpc?: boolean;
  /** HTML before the Waybill tags (a CMP that loads first). */
  before?: string;
  /** HTML after the Waybill tags. */
  after?: string;
  /** The page's own calls, queued by the stub (wb('page') etc.). */
  script?: string;
  /**
   * `true`: no bundle tag; the page defines `window.loadWaybill()`, which inserts it (so a CMP
   * module can load Waybill once it is set up). `'sync'`: a blocking tag instead of `async`.
   */
  bundle?: 'async' | 'sync' | 'later';
}

export function bridgePage({ consent, respectGpc, before = '', after = '', script = '', bundle = 'async' }: BridgePageOptions): string {
  const attrs: Record<string, string> = { 'data-endpoint': '/collect', 'data-debug': '', 'data-flush-interval': '100' };
  if (consent !== undefined) attrs['data-consent'] = consent;
  if (respectGpc === false) attrs['data-respect-gpc'] = 'false';
  const attrText = Object.entries(attrs).map(([k, v]) => (v ? `${k}="${v}"` : k)).join(' ');
  const tag =
    bundle === 'later'
      ? `<script>
  window.loadWaybill = function () {
    var s = document.createElement('script');
    s.src = '/waybill.min.js';
    var attrs = ${JSON.stringify(attrs)};
    for (var k in attrs) s.setAttribute(k, attrs[k]);
    document.head.appendChild(s);
  };
</script>`
      : `<script ${bundle === 'async' ? 'async ' : ''}src="/waybill.min.js" ${attrText}></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bridge test</title>
${before}
<script>${readStub()}</script>
${tag}
<script>
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  ${script}
  window.pageScriptDone = true;
</script>
${after}
</head><body><h1>Bridge test</h1></body></html>`;
}

/** Pretend the browser sends Global Privacy Control (an init script, before any page script). */
export const GPC_ON = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });

/**
 * An npm-mode page: ES modules through an import map (the built packages, idb-keyval and the
 * TCF packages of tcf.ts). `script` is a module body that may import them; it must set
 * `window.tracker`. `before` goes in the head before the module (a CMP stub).
 */
export function npmBridgePage({ script, before = '' }: { script: string; before?: string }): string {
  const imports = {
    '@waybill/core': '/pkg/core/index.js',
    '@waybill/first-party': '/pkg/first-party/index.js',
    '@waybill/consent': '/pkg/consent/index.js',
    'idb-keyval': '/node_modules/idb-keyval/dist/index.js',
    '@iabtechlabtcf/cmpapi': '/tcf/cmpapi/index.js',
    '@iabtechlabtcf/core': '/tcf/core/index.js',
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bridge test (npm)</title>
${before}
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
  ${script}
  window.wb = (command, ...args) => (command === 'consent' ? window.tracker.consent.update(args[0]) : window.tracker[command](...args));
  window.sdk = () => window.tracker;
  window.pageScriptDone = true;
</script>
</head><body><h1>Bridge test (npm)</h1></body></html>`;
}
