import { hex } from './uuid';

/** Lower-case hex SHA-256 of a string, with the platform's `crypto.subtle` (secure contexts only). */
export const sha256 = async (text: string): Promise<string> =>
  hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

const HEX64 = /^[0-9a-f]{64}$/;

/** Email: trimmed and lower-cased, as TikTok and Google expect before hashing. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * Phone: E.164, a `+` and digits only. A leading `00` is read as the international
 * prefix; a number without either is taken to already include its country code.
 */
export const normalisePhone = (phone: string) => '+' + phone.trim().replace(/^00/, '').replace(/\D/g, '');

/**
 * Hash the personal traits (`email`, `phone`) in place of their raw values. Values that are
 * already a SHA-256 hex digest pass through, so a shop can hash on its server instead.
 * Empty values are removed. Resolves without the trait when hashing is unavailable.
 */
export const hashTraits = async (traits: Record<string, unknown>, onError: (e: unknown) => void) => {
  const out: Record<string, unknown> = { ...traits };
  for (const key of ['email', 'phone']) {
    const raw = out[key];
    delete out[key];
    if (typeof raw == 'string') {
      const lower = normaliseEmail(raw);
      const value = key == 'email' ? lower : normalisePhone(raw);
      if (HEX64.test(lower)) out[key] = lower;
      // Empty (or a phone without digits): left out.
      else if (value.length > 1) {
        try {
          out[key] = await sha256(value);
        } catch (e) {
          onError(e);
        }
      }
    }
  }
  return out;
};
