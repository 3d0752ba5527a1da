/** A Chromium found for Playwright; `system` means pass `path` as `executablePath`. */
export interface FoundChromium {
  path: string;
  source: 'CHROMIUM_PATH' | 'system' | 'playwright';
  system: boolean;
}
/** System browsers tried, in order, after `CHROMIUM_PATH`. */
export declare const SYSTEM_CHROMIUMS: string[];
/** Find a Chromium: env `CHROMIUM_PATH`, a system browser, then Playwright's own; `null` if none. */
export declare function findChromium(): FoundChromium | null;
/** Chromium flags for a closed network and a root container. */
export declare const CHROMIUM_ARGS: string[];
