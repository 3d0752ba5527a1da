// Forwarding configuration: the collector's options, and the same from command-line flags and
// environment variables (secrets can stay out of flags, and so out of `ps`).
import type { ForwardDestination } from '../outbox';
import { GA4_API_URL, type Ga4Forwarding } from './ga4';
import { TIKTOK_API_URL, type TikTokForwarding } from './tiktok';
import type { Backoff } from './outcome';

/** Options of server-side forwarding (`createCollector({ forwarding })`). */
export interface ForwardingOptions extends Backoff {
  /** TikTok Events API. Off without `pixelCode` and `accessToken`. */
  tiktok?: Partial<TikTokForwarding>;
  /** GA4 Measurement Protocol. Off without `measurementId` and `apiSecret`. */
  ga4?: Partial<Ga4Forwarding>;
  /** Attempts before a row that keeps failing is a dead letter. Default 16. */
  maxAttempts?: number;
  /** A vendor request that has not answered after this long has failed (ms). Default 10,000. */
  timeoutMs?: number;
  /** Requests in flight per destination. Default 4. */
  concurrency?: number;
  /** With nothing due, the worker looks again after this long (ms). Default 1000. */
  pollMs?: number;
  /**
   * Say at start, in the collector's log, which destinations are on and which are off (and why).
   * Default `true`; the command says it on its own output instead.
   */
  announce?: boolean;
}

/** The destinations that are on, with their full configuration, and a sentence per destination that is off. */
export interface ResolvedForwarding {
  tiktok?: TikTokForwarding;
  ga4?: Ga4Forwarding;
  /** Why each destination that is off is off, to say once at start. */
  off: Partial<Record<ForwardDestination, string>>;
  /** No credential of any destination was given: forwarding is not in use. */
  unset?: boolean;
}

const missing = (names: [string, unknown][]) => names.filter(([, value]) => typeof value != 'string' || value.trim() == '').map(([name]) => name);

/** Which destinations are on: each needs its two credentials. */
export function resolveForwarding(options: ForwardingOptions = {}): ResolvedForwarding {
  const out: ResolvedForwarding = { off: {} };
  const { tiktok = {}, ga4 = {} } = options;
  const tiktokMissing = missing([
    ['pixel code (--tiktok-pixel or WAYBILL_TIKTOK_PIXEL)', tiktok.pixelCode],
    ['access token (WAYBILL_TIKTOK_ACCESS_TOKEN)', tiktok.accessToken],
  ]);
  if (tiktokMissing.length) out.off.tiktok = `TikTok Events API off: no ${tiktokMissing.join(' and no ')}`;
  else out.tiktok = { ...tiktok, apiUrl: tiktok.apiUrl || TIKTOK_API_URL } as TikTokForwarding;
  const ga4Missing = missing([
    ['measurement id (--ga4-measurement-id or WAYBILL_GA4_MEASUREMENT_ID)', ga4.measurementId],
    ['API secret (WAYBILL_GA4_API_SECRET)', ga4.apiSecret],
  ]);
  if (ga4Missing.length) out.off.ga4 = `GA4 Measurement Protocol off: no ${ga4Missing.join(' and no ')}`;
  else out.ga4 = { ...ga4, apiUrl: ga4.apiUrl || GA4_API_URL } as Ga4Forwarding;
  out.unset = tiktokMissing.length + ga4Missing.length == 4;
  for (const [name, url] of [
    ['TikTok API URL', out.tiktok?.apiUrl],
    ['GA4 API URL', out.ga4?.apiUrl],
  ]) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
      throw Object.assign(new TypeError(`${name} ${JSON.stringify(url)} is not an http(s) URL`), { code: 'ERR_INVALID_ARG_VALUE' });
    }
  }
  return out;
}

/** What forwarding without any vendor credential says at start. */
export const FORWARDING_OFF = 'server-side forwarding off: no TikTok or GA4 credentials (waybill-collector --help lists them)';

/**
 * What the collector says at start about forwarding: one line per destination, on (where to)
 * or off (why); one line in all when no destination has any credential.
 */
export function describeForwarding(resolved: ResolvedForwarding): string[] {
  if (resolved.unset) return [FORWARDING_OFF];
  const lines: string[] = [];
  if (resolved.tiktok) {
    const test = resolved.tiktok.testEventCode ? `, test event code ${resolved.tiktok.testEventCode}` : '';
    lines.push(`forwarding to the TikTok Events API: pixel ${resolved.tiktok.pixelCode} at ${resolved.tiktok.apiUrl}${test}`);
  } else lines.push(resolved.off.tiktok!);
  if (resolved.ga4) {
    lines.push(`forwarding to the GA4 Measurement Protocol: ${resolved.ga4.measurementId} at ${resolved.ga4.apiUrl}`);
    if (resolved.ga4.validate) lines.push('GA4 validation mode: events go to the validation server and never reach your reports');
  } else lines.push(resolved.off.ga4!);
  return lines;
}

/** A forwarding setting as a flag of `waybill-collector` and an environment variable. */
export interface ForwardingFlag {
  /** The flag without `--`. */
  flag: string;
  env: string;
  /** A boolean flag takes no value (its variable: `1`, `true` or `yes`). */
  boolean?: boolean;
  /** Repeatable (its variable: comma-separated). */
  multiple?: boolean;
  /** A secret: prefer the variable, flags show in `ps`. */
  secret?: boolean;
  help: string;
}

/** Every forwarding flag, with its variable. */
export const FORWARDING_FLAGS: readonly ForwardingFlag[] = [
  { flag: 'tiktok-pixel', env: 'WAYBILL_TIKTOK_PIXEL', help: 'TikTok pixel code, the same as the page\'s' },
  { flag: 'tiktok-access-token', env: 'WAYBILL_TIKTOK_ACCESS_TOKEN', secret: true, help: 'Events API access token (prefer the variable)' },
  { flag: 'tiktok-api-url', env: 'WAYBILL_TIKTOK_API_URL', help: `Events API host (default ${TIKTOK_API_URL})` },
  { flag: 'tiktok-test-event-code', env: 'WAYBILL_TIKTOK_TEST_EVENT_CODE', help: 'send with this test_event_code (Events Manager, Test Events)' },
  { flag: 'tiktok-event', env: 'WAYBILL_TIKTOK_EVENTS', multiple: true, help: 'name=TikTokName, as the adapter\'s eventNames (name= sends none)' },
  { flag: 'tiktok-custom', env: 'WAYBILL_TIKTOK_CUSTOM', boolean: true, help: 'forward custom events too, as the adapter\'s forwardCustom' },
  { flag: 'ga4-measurement-id', env: 'WAYBILL_GA4_MEASUREMENT_ID', help: 'GA4 web stream measurement id, G-…' },
  { flag: 'ga4-api-secret', env: 'WAYBILL_GA4_API_SECRET', secret: true, help: 'Measurement Protocol API secret (prefer the variable)' },
  { flag: 'ga4-api-url', env: 'WAYBILL_GA4_API_URL', help: `Measurement Protocol host (default ${GA4_API_URL}; EU: https://region1.google-analytics.com)` },
  { flag: 'ga4-validate', env: 'WAYBILL_GA4_VALIDATE', boolean: true, help: 'send to the validation server and log its messages (nothing reaches reports)' },
  { flag: 'ga4-event', env: 'WAYBILL_GA4_EVENTS', multiple: true, help: 'name=ga4_name, as the adapter\'s eventNames (name= sends none)' },
  { flag: 'forward-max-attempts', env: 'WAYBILL_FORWARD_MAX_ATTEMPTS', help: 'attempts before a dead letter (default 16)' },
  { flag: 'forward-retry-ms', env: 'WAYBILL_FORWARD_RETRY_MS', help: 'first retry after about this many ms, doubling (default 1000)' },
  { flag: 'forward-timeout-ms', env: 'WAYBILL_FORWARD_TIMEOUT_MS', help: 'a vendor request fails after this many ms (default 10000)' },
];

const bad = (message: string) => Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' });

/** `name=Vendor,other=` as an event names table (`false` for an empty vendor name). */
function eventNames(flag: string, entries: string[]): Record<string, string | false> | undefined {
  if (!entries.length) return undefined;
  const names: Record<string, string | false> = {};
  for (const entry of entries) {
    const m = /^([^=\s]+)=(\S*)$/.exec(entry.trim());
    if (!m) throw bad(`--${flag} takes name=VendorName (or name= to send none), not ${JSON.stringify(entry)}`);
    names[m[1]!] = m[2] || false;
  }
  return names;
}

function count(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw bad(`--${flag} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Forwarding options from parsed flags (by flag name, as `util.parseArgs` gives them) and the
 * environment; a flag wins over its variable. Also says which secrets came by flag.
 * @throws TypeError (code `ERR_INVALID_ARG_VALUE`) naming a bad value.
 */
export function forwardingFromFlags(
  flags: Record<string, string | boolean | string[] | undefined>,
  env: Record<string, string | undefined> = process.env,
): { options: ForwardingOptions; secretFlags: string[] } {
  const value = (f: ForwardingFlag): string | boolean | string[] | undefined => {
    const given = flags[f.flag];
    if (given !== undefined && !(Array.isArray(given) && !given.length) && given !== false) return given;
    const raw = env[f.env];
    if (raw === undefined || raw === '') return undefined;
    if (f.boolean) return /^(1|true|yes)$/i.test(raw);
    return f.multiple ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  };
  const get = (flag: string) => value(FORWARDING_FLAGS.find((f) => f.flag == flag)!);
  const str = (flag: string) => get(flag) as string | undefined;
  const list = (flag: string) => (get(flag) as string[] | undefined) ?? [];
  const options: ForwardingOptions = {
    tiktok: {
      pixelCode: str('tiktok-pixel'),
      accessToken: str('tiktok-access-token'),
      apiUrl: str('tiktok-api-url'),
      testEventCode: str('tiktok-test-event-code'),
      eventNames: eventNames('tiktok-event', list('tiktok-event')),
      forwardCustom: get('tiktok-custom') === true,
    },
    ga4: {
      measurementId: str('ga4-measurement-id'),
      apiSecret: str('ga4-api-secret'),
      apiUrl: str('ga4-api-url'),
      validate: get('ga4-validate') === true,
      eventNames: eventNames('ga4-event', list('ga4-event')),
    },
    maxAttempts: count('forward-max-attempts', str('forward-max-attempts'), 1),
    baseMs: count('forward-retry-ms', str('forward-retry-ms'), 1),
    timeoutMs: count('forward-timeout-ms', str('forward-timeout-ms'), 1),
  };
  const secretFlags = FORWARDING_FLAGS.filter((f) => f.secret && typeof flags[f.flag] == 'string').map((f) => f.flag);
  return { options, secretFlags };
}
