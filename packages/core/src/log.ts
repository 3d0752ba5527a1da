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

/** Run `fn` (a destination's code, say) so that nothing it throws reaches the page: a throw is a warning. */
export const guard = (warn: Logger['warn'], what: string, fn: () => unknown) => {
  try {
    return fn();
  } catch (e) {
    warn(what + ': failed', e);
  }
};
