/** Lower-case hex of bytes. */
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');

/**
 * A UUID (RFC 9562) from `crypto.getRandomValues`, which, unlike `crypto.randomUUID`, every
 * page has (a plain-http page on a LAN too). With a `time` (ms since the epoch), version 7,
 * for event ids: the time, then random bits, so ids sort by time and the collector's id index
 * grows at its end instead of at random places. Without, version 4 (the visitor's ids, owner
 * ids): all random, so an anonymous id does not tell when the visitor first came.
 */
export const uuid = (time?: number): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // The 48-bit time, big-endian: a typed array keeps the low 8 bits of what it is given.
  for (let i = 6, ms = time!; time && i--; ms /= 256) bytes[i] = ms;
  bytes[6] = (bytes[6]! & 15) | (time ? 112 : 64);
  bytes[8] = (bytes[8]! & 63) | 128;
  return hex(bytes).replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
};
