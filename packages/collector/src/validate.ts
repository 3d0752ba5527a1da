/** Most events accepted in one request; larger batches are refused whole with 413. */
export const MAX_EVENTS_PER_BATCH = 500;

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

/** The outcome of checking a parsed body: its events, or why the whole batch is refused. */
export type BatchCheck = { events: unknown[] } | { status: 400 | 413; error: string };

const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
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
    typeof name === 'string' && name.length >= 1 && name.length <= 128
      ? undefined
      : 'name must be a string of 1-128 characters',
    typeof ts === 'number' && Number.isFinite(ts) && ts > 0
      ? undefined
      : 'ts must be a positive number (milliseconds since the epoch)',
    optionalObject(event, 'props'),
    optionalString(event, 'anonymousId', 128),
    optionalString(event, 'sessionId', 128),
    optionalString(event, 'userId', 256),
    optionalObject(event, 'traits'),
    optionalObject(event, 'context'),
  ].filter((error) => error !== undefined);
  return errors.length > 0 ? errors.join('; ') : (event as ValidEvent);
}
