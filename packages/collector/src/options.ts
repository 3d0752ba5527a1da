import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** A bad option: a TypeError with Node's code for a bad argument value (the CLI exits 2 on it). */
export const badOption = (message: string): TypeError => Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' });

export const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/**
 * The origin an `allowedOrigins` entry names (a trailing `/` is allowed), or `'*'`. Anything else
 * throws: `shop.example:443`, say, parses as a URL whose origin is "null", the opaque origin that
 * sandboxed frames and `file:` pages send, and would let them in.
 */
function parseOrigin(entry: unknown): string {
  if (entry === '*') return entry;
  let url: URL | undefined;
  try {
    url = new URL(entry as string);
  } catch {
    // reported below
  }
  const origin =
    typeof entry === 'string' && url && /^https?:$/.test(url.protocol) && !url.username && !url.password &&
    url.pathname === '/' && !url.search && !url.hash && !url.hostname.includes('*');
  if (!origin) {
    throw badOption(`allowed origin ${show(entry)} is not scheme://host[:port], such as https://shop.example (or * for any)`);
  }
  return url!.origin;
}

/** The set of allowed origins (possibly `'*'`). */
export function allowedOrigins(value: string | string[] = []): Set<string> {
  const list: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw badOption(`allowedOrigins must be an array of origins, not ${show(value)}`);
  return new Set(list.map(parseOrigin));
}

/** The real path of the static folder; throws if there is no such folder. */
export function staticFolder(dir: unknown): string {
  try {
    const real = realpathSync(resolve(dir as string));
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw badOption(`static folder ${show(dir)} does not exist or is not a folder`);
}

export function positiveBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badOption(`maxBodyBytes must be a positive number of bytes, not ${show(value)}`);
  }
  return value;
}

/** A whole number of at least 1, or a bad option named `name`. */
export function positiveInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw badOption(`${name} must be a whole number of at least 1, not ${show(value)}`);
  return value as number;
}

/** Characters of a bearer token (RFC 6750 `b64token`), so that it can travel in `Authorization`. */
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
/** Short enough to type, long enough not to guess: `openssl rand -hex 32` gives 64. */
const MIN_TOKEN_LENGTH = 16;

/** The admin token, if one is set; refuses one that is short or could not be sent in a header. */
export function adminToken(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !TOKEN.test(value) || value.length < MIN_TOKEN_LENGTH) {
    throw badOption(
      `the admin token must be at least ${MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - . _ ~ + / (such as the output of \`openssl rand -hex 32\`)`,
    );
  }
  return value;
}

/** `basePath`, as Hono takes it: `''` for the root, else `/segment[/segment...]` without a trailing `/`. */
export function basePath(value: unknown = ''): string {
  const path = typeof value === 'string' ? value.replace(/\/$/, '') : value;
  if (typeof path !== 'string' || !/^(\/[\w.~-]+)*$/.test(path)) {
    throw badOption(`basePath must be a path such as /api/waybill (letters, digits, . _ ~ -), not ${show(value)}`);
  }
  return path;
}

/** The server events API's keys (`serverKeys`): each one a token as strong as the admin token. */
export function serverKeys(value: unknown): string[] {
  const keys = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  if (!Array.isArray(keys)) throw badOption(`serverKeys must be an array of keys, not ${show(value)}`);
  const bad = keys.find((key) => typeof key !== 'string' || !TOKEN.test(key) || key.length < MIN_TOKEN_LENGTH);
  if (bad !== undefined) {
    throw badOption(`each server key must be at least ${MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - . _ ~ + / (such as the output of \`openssl rand -hex 32\`)`);
  }
  return keys as string[];
}
