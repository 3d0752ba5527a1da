// Email and phone are stored only as SHA-256 digests, whoever sent them.
import { normaliseEmail, normalisePhone } from '@waybill/core';
import { matchKey } from './forward/event';

const CONTACT = { email: normaliseEmail, phone: normalisePhone } as const;

/**
 * Replaces a raw `traits.email` or `traits.phone` by its digest, normalised as the browser SDK
 * does (which sends digests only, so its events pass unchanged). A shop's backend posting to
 * `/collect` may send them raw; the collector must not keep them so. A value with nothing to
 * hash (a phone without digits) is removed. `event` is the parsed body's own object.
 */
export function hashContactTraits(event: unknown): void {
  const traits = (event as { traits?: unknown } | null)?.traits;
  if (typeof traits != 'object' || traits === null || Array.isArray(traits)) return;
  const record = traits as Record<string, unknown>;
  for (const key of ['email', 'phone'] as const) {
    const value = record[key];
    if (typeof value != 'string') continue;
    const digest = matchKey(value, CONTACT[key]);
    if (digest === undefined) delete record[key];
    else record[key] = digest;
  }
}
