const seen = new Set<string>();

/** A debug-only logger: each warning is printed once, prefixed; nothing is ever thrown. */
export const logger = (debug: boolean) => ({
  warn(message: string, detail?: unknown) {
    if (debug && !seen.has(message)) seen.add(message), console.warn('[waybill] ' + message, detail ?? '');
  },
  log(message: string, detail?: unknown) {
    if (debug) console.log('[waybill] ' + message, detail ?? '');
  },
});
