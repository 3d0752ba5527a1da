/** Most events accepted in one request; larger batches are refused whole with 413. */
export const MAX_EVENTS_PER_BATCH = 500;

/**
 * Deepest nesting of objects and arrays inside any field of an event (`props` itself is level 1).
 * Serialising is recursive: without a bound, one deep event would overflow the stack and fail its batch.
 */
export const MAX_DEPTH = 32;

/**
 * Largest event, in bytes of the JSON that is stored. Measured on what is stored, not on what was
 * sent: `1e20` arrives as 4 bytes and is stored as 21. The SDK keeps `props` under 32,768
 * characters, which is up to 96 KB of UTF-8 (three bytes a character in CJK text), plus the envelope.
 */
export const MAX_EVENT_BYTES = 128 * 1024;

/** An event that passed validation: the wire fields the store indexes, plus whatever else was sent. */
export interface ValidEvent {
  id: string;
  type: 'track' | 'page' | 'identify';
  name: string;
  ts: number;
  anonymousId?: string;
  sessionId?: string;
  userId?: string;
  [field: string]: unknown;
}

/** An event ready to store: the validated event and the JSON that is stored for it. */
export interface StorableEvent {
  event: ValidEvent;
  json: string;
}

/** The outcome of checking a parsed body: its events, or why the whole batch is refused. */
export type BatchCheck = { events: unknown[] } | { status: 400 | 413; error: string };

const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
const CONTROL = /[\u0000-\u001F\u007F]/;
const TYPES = new Set(['track', 'page', 'identify']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// JSON has no `undefined`, so an explicit null means "not given" for optional fields.
const absent = (value: unknown): boolean => value === undefined || value === null;

/** Checks the envelope `{ v: 1, events: [...] }`; the events themselves are checked one by one. */
export function checkBatch(body: unknown): BatchCheck {
  if (!isObject(body)) return { status: 400, error: 'body must be a JSON object {"v": 1, "events": [...]}' };
  if (body.v === undefined) return { status: 400, error: 'body must have "v": 1 (the wire format version)' };
  if (body.v !== 1) {
    return { status: 400, error: `unsupported wire format version ${JSON.stringify(body.v)}: this collector accepts v 1` };
  }
  if (!Array.isArray(body.events)) return { status: 400, error: '"events" must be an array' };
  if (body.events.length > MAX_EVENTS_PER_BATCH) {
    return {
      status: 413,
      error: `too many events in one batch: ${body.events.length} (at most ${MAX_EVENTS_PER_BATCH})`,
    };
  }
  return { events: body.events };
}

const optionalString = (event: Record<string, unknown>, field: string, max: number): string | undefined => {
  const value = event[field];
  if (absent(value) || (typeof value === 'string' && value.length <= max)) return undefined;
  return `${field} must be a string of at most ${max} characters`;
};

const optionalObject = (event: Record<string, unknown>, field: string): string | undefined =>
  absent(event[field]) || isObject(event[field]) ? undefined : `${field} must be an object`;

/** Whether `value` nests objects or arrays more than `levels` deep; stops looking at that depth. */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  for (const item of Object.values(value)) if (deeperThan(item, levels - 1)) return true;
  return false;
}

/**
 * Validates one event of a batch.
 * @returns the event, typed, or a message naming every bad field and why.
 */
export function validateEvent(event: unknown): ValidEvent | string {
  if (!isObject(event)) return 'event must be an object';
  const { id, type, name, ts } = event;
  const errors = [
    typeof id === 'string' && ID_PATTERN.test(id)
      ? undefined
      : 'id must be a string of 1-128 characters from A-Z a-z 0-9 _ . : -',
    typeof type === 'string' && TYPES.has(type) ? undefined : 'type must be one of track, page, identify',
    typeof name === 'string' && name.length >= 1 && name.length <= 128 && !CONTROL.test(name)
      ? undefined
      : 'name must be a string of 1-128 characters, without control characters',
    typeof ts === 'number' && Number.isFinite(ts) && ts > 0
      ? undefined
      : 'ts must be a positive number (milliseconds since the epoch)',
    optionalObject(event, 'props'),
    optionalString(event, 'anonymousId', 128),
    optionalString(event, 'sessionId', 128),
    optionalString(event, 'userId', 256),
    optionalObject(event, 'traits'),
    optionalObject(event, 'context'),
    ...Object.entries(event).map(([field, value]) =>
      deeperThan(value, MAX_DEPTH) ? `${field} is nested more than ${MAX_DEPTH} levels deep` : undefined,
    ),
  ].filter((error) => error !== undefined);
  return errors.length > 0 ? errors.join('; ') : (event as ValidEvent);
}

/**
 * Validates one event and serialises it as it will be stored.
 * @returns the event and its JSON, or why it cannot be stored.
 */
export function prepareEvent(input: unknown): StorableEvent | string {
  const event = validateEvent(input);
  if (typeof event === 'string') return event;
  let json: string;
  try {
    json = JSON.stringify(event);
  } catch {
    return 'event cannot be serialised as JSON';
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_EVENT_BYTES) return `event is too large: ${bytes} bytes as stored JSON (at most ${MAX_EVENT_BYTES})`;
  return { event, json };
}
