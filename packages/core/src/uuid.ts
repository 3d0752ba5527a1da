/** Lower-case hex of bytes. */
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');

/**
 * A v4 UUID. Like `crypto.subtle`, `randomUUID` exists only in secure contexts (https,
 * localhost); elsewhere it throws and `createTracker` returns a tracker that does nothing.
 */
export const uuid = (): string => crypto.randomUUID();
