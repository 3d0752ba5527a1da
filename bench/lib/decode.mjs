// Finds the bench ids (`bench-<page>-<n>`, put in each tracked event's props by the harness) in
// a request body, whatever the SDK's wire format: gzip (PostHog), form-encoded base64 (PostHog's
// fallback), base64url-encoded event and context fields (Snowplow), or plain JSON. Counting ids
// rather than parsing every format fully keeps one rule for all: an event's id appears once in
// each copy of that event sent.
import { gunzipSync } from 'node:zlib';

const ID = /bench-\d+-\d+/g;
const SNOWPLOW_B64 = /"(?:ue_px|cx)":"([A-Za-z0-9_\-+/=]+)"/g;

/** The body as text, decompressed (gzip, or PostHog's base64 form). */
function plainText(path, body) {
  let bytes = body;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      // not gzip after all
    }
  }
  let text = bytes.toString('utf8');
  if (/[?&]compression=base64\b/.test(path) && text.startsWith('data=')) {
    text = Buffer.from(decodeURIComponent(text.slice(5)), 'base64').toString('utf8');
  }
  return text;
}

/** Every bench id in the request body (once per copy), and the body's size decompressed. */
export function readBody(path, body) {
  const text = plainText(path, body);
  // Snowplow base64url-encodes self-describing events and context entities.
  const decoded = text.replace(SNOWPLOW_B64, (_, b64) => Buffer.from(b64, 'base64url').toString('utf8'));
  return { ids: decoded.match(ID) ?? [], plainBytes: Buffer.byteLength(text) };
}
