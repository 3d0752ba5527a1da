const seen = new Set<string>();

/** What the modules of a tracker use to report: debug-only, each warning once. */
export interface Logger {
  /** A warning, printed once per message, only with `debug`. */
  warn(message: string, detail?: unknown): void;
  /** A line of the debug log (each event queued and sent), only with `debug`. */
  log(message: string, detail?: unknown): void;
}

/** A debug-only logger: each warning is printed once, prefixed; nothing is ever thrown. */
export const logger = (debug: boolean): Logger => ({
  warn(message, detail) {
    if (debug && !seen.has(message)) seen.add(message), console.warn('[waybill] ' + message, detail ?? '');
  },
  log(message, detail) {
    if (debug) console.log('[waybill] ' + message, detail ?? '');
  },
});

/**
 * Say a setup mistake plainly, once per message, even without `debug` (a wrong endpoint, an
 * origin the collector refuses, an insecure context): silence would leave a shop guessing.
 */
export const say = (message: string) => {
  if (!seen.has(message)) seen.add(message), console.warn('[waybill] ' + message);
};

/** Run `fn` (a destination's code, say) so that nothing it throws reaches the page: a throw is a warning. */
export const guard = (warn: Logger['warn'], what: string, fn: () => unknown) => {
  try {
    return fn();
  } catch (e) {
    warn(what + ': failed', e);
  }
};
