// Wire formats v1 and v2, as defined by schema/wire-v1.json and schema/wire-v2.json (the
// published schemas are the ones that run): ajv validates; this module turns ajv's findings into
// the answers' messages, and rebuilds each event of a v2 batch whole (the same event v1 sends).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import type { WaybillEvent, WireBatch, WireBatchV2 } from '@waybill/core';
import { describeErrors, type SchemaNode } from './schema-errors';


const schema = (file: string) => JSON.parse(readFileSync(fileURLToPath(import.meta.resolve(`../schema/${file}`)), 'utf8')) as SchemaNode;

/** The schema of wire format v1 (`@waybill/collector/schema/wire-v1.json`): the envelope, the "known" question and the event. */
export const WIRE_SCHEMA = schema('wire-v1.json');
/** The schema of wire format v2 (`@waybill/collector/schema/wire-v2.json`): its envelope, whose events are v1 events once rebuilt. */
export const WIRE_V2_SCHEMA = schema('wire-v2.json');

const defs = WIRE_SCHEMA.$defs!;

/** Most events accepted in one request (the schema's `maxItems`); larger batches are refused whole with 413. */
export const MAX_EVENTS_PER_BATCH = defs.envelope!.properties!.events!.maxItems as number;

/**
 * Largest event, in bytes of the JSON that is stored. Measured on what is stored, not on what was
 * sent: `1e20` arrives as 4 bytes and is stored as 21. The SDK keeps `props` under 32,768
 * characters, which is up to 96 KB of UTF-8 (three bytes a character in CJK text), plus the envelope.
 * A schema cannot measure a serialisation, so this one cap lives here (and in the schema's description).
 */
export const MAX_EVENT_BYTES = 128 * 1024;

/** An event that passed validation: the wire fields the store indexes, plus whatever else was sent. */
export interface ValidEvent {
  id: string;
  type: 'track' | 'page' | 'identify';
  name: string;
  ts: number;
  anonymousId?: string | null;
  sessionId?: string | null;
  userId?: string | null;
  context?: { consent?: Record<string, string>; [field: string]: unknown } | null;
  [field: string]: unknown;
}

/** An event ready to store: the validated event and the JSON that is stored for it. */
export interface StorableEvent {
  event: ValidEvent;
  json: string;
}

/** What a body asks for, once its envelope is valid. */
export type Body = { events: unknown[] } | { known: string[] };

/** The outcome of checking a parsed body: what it asks, or why it is refused whole. */
export type BodyCheck = Body | { status: 400 | 413; error: string };

/** The validators of `defs`, reporting all errors or stopping at the first. */
function compile(allErrors: boolean) {
  const ajv = new Ajv2020({ allErrors, allowUnionTypes: true, strictTypes: false });
  ajv.addSchema(WIRE_SCHEMA);
  ajv.addSchema(WIRE_V2_SCHEMA);
  const compiled = (def: string, of = WIRE_SCHEMA) => ajv.getSchema(`${of.$id}#/$defs/${def}`) as ValidateFunction;
  return { envelope: compiled('envelope'), envelopeV2: compiled('envelope', WIRE_V2_SCHEMA), known: compiled('known'), event: compiled('event') };
}
const validators = compile(true);
// Nearly every event is valid: checked by a validator that stops at the first error (a third
// cheaper), and again by the thorough one only to name every bad field of one that is not.
const isValidEvent = compile(false).event;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The order of an event's fields, and of its context's, as the SDK makes them: rebuilt events keep it. */
const EVENT_ORDER = new Set(['id', 'type', 'name', 'props', 'ts', 'context', 'anonymousId', 'sessionId', 'userId', 'traits']);
const CONTEXT_ORDER = new Set(['page', 'locale', 'timezone', 'screen', 'consent', 'library', 'forward', 'campaign', 'clickIds', 'vendorIds']);

/** Sets a field of a fresh object; one named `__proto__` (JSON allows it) stays a field. */
function put(fields: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  else fields[name] = value;
}

/**
 * `shared` under `own` (own fields win), in `order` and then any other field (own's first); the
 * `nested` field of both, when both are objects, merged the same way, field by field, and their
 * `props` field by field, shared ones first.
 */
function merge(shared: Record<string, unknown>, own: Record<string, unknown>, order: Set<string>, nested?: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const add = (name: string) => {
    if (Object.hasOwn(own, name)) {
      const mine = own[name];
      const theirs = shared[name];
      // Shared props lead (the SDK shares only leading ones), so props keep the order they were made in.
      const both = isObject(mine) && isObject(theirs);
      put(fields, name, both && name === nested ? merge(theirs, mine, CONTEXT_ORDER) : both && name === 'props' ? { ...theirs, ...mine } : mine);
    } else if (Object.hasOwn(shared, name)) put(fields, name, shared[name]);
  };
  for (const name of order) add(name);
  for (const name in own) if (!order.has(name)) add(name);
  for (const name in shared) if (!order.has(name) && !Object.hasOwn(own, name)) add(name);
  return fields;
}

/**
 * One event of a v2 batch rebuilt whole: `shared` under the event's own fields, `context` and
 * `props` merged field by field, fields in the SDK's order, so an SDK's event is stored byte for byte as v1
 * would have sent it. Anything but an object is left as it is, to be refused.
 */
export const expandEvent = (shared: unknown, own: unknown): unknown =>
  isObject(own) && isObject(shared) ? merge(shared, own, EVENT_ORDER, 'context') : own;

/** The events of a parsed batch of v1 or v2, each whole (for tests and tools; the route checks the envelope first). */
export const unbatch = (body: WireBatch | WireBatchV2): WaybillEvent[] =>
  body.v === 2 ? body.events.map((own) => expandEvent(body.shared ?? {}, own) as WaybillEvent) : body.events;

/**
 * Checks a parsed body against its envelope (a batch of v1 or v2) or the "known" query; events
 * are checked one by one, later. A v2 batch's events come back rebuilt whole, as v1 sends them.
 */
export function checkBody(body: unknown): BodyCheck {
  const fields = isObject(body) ? body : {};
  const known = 'known' in fields && !('events' in fields);
  const v2 = !known && fields.v === 2;
  const validate = known ? validators.known : v2 ? validators.envelopeV2 : validators.envelope;
  if (validate(body)) {
    if (known) return { known: fields.known as string[] };
    const events = fields.events as unknown[];
    return { events: v2 ? events.map((own) => expandEvent(fields.shared ?? {}, own)) : events };
  }
  const errors = validate.errors ?? [];
  if (fields.v !== undefined && errors.some((e) => e.instancePath === '/v')) {
    return { status: 400, error: `unsupported wire format version ${JSON.stringify(fields.v)}: this collector accepts ${known ? 'v 1 for "known"' : 'v 1 and v 2'}` };
  }
  if (errors.some((e) => e.instancePath === '/events' && e.keyword === 'maxItems')) {
    const count = (fields.events as unknown[]).length;
    return { status: 413, error: `too many events in one batch: ${count} (at most ${MAX_EVENTS_PER_BATCH})` };
  }
  const root = known ? defs.known! : v2 ? WIRE_V2_SCHEMA.$defs!.envelope! : defs.envelope!;
  return { status: 400, error: describeErrors(errors, root, defs, 'body') };
}

/**
 * Validates one event and serialises it as it will be stored.
 * @returns the event and its JSON, or a message naming every bad field and why.
 */
export function prepareEvent(event: unknown): StorableEvent | string {
  if (!isValidEvent(event)) {
    validators.event(event);
    return describeErrors(validators.event.errors, defs.event!, defs, 'event');
  }
  // A parsed body holds no cycles nor BigInts: serialising cannot fail.
  const json = JSON.stringify(event);
  // A character is at most 3 bytes of UTF-8: only a long JSON needs counting.
  const bytes = json.length * 3 <= MAX_EVENT_BYTES ? 0 : Buffer.byteLength(json);
  if (bytes > MAX_EVENT_BYTES) return `event is too large: ${bytes} bytes as stored JSON (at most ${MAX_EVENT_BYTES})`;
  return { event: event as ValidEvent, json };
}
