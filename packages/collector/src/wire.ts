// Wire format v1, as defined by schema/wire-v1.json (the published schema is the one that runs):
// ajv validates; this module turns ajv's findings into the answers' messages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** A JSON Schema node, as far as messages need it. */
interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  $defs?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

/** The schema of wire format v1 (`@waybill/collector/schema/wire-v1.json`). */
export const WIRE_SCHEMA = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('../schema/wire-v1.json')), 'utf8')) as SchemaNode;

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
  const compiled = (def: string) => ajv.getSchema(`${WIRE_SCHEMA.$id}#/$defs/${def}`) as ValidateFunction;
  return { envelope: compiled('envelope'), known: compiled('known'), event: compiled('event') };
}
const validators = compile(true);
// Nearly every event is valid: checked by a validator that stops at the first error (a third
// cheaper), and again by the thorough one only to name every bad field of one that is not.
const isValidEvent = compile(false).event;

const resolve = (node: SchemaNode): SchemaNode => {
  const ref = node.$ref?.replace(/^#\/\$defs\//, '');
  return ref === undefined ? node : resolve({ ...defs[ref], ...node, $ref: undefined });
};

/** One step down the schema, for a property name or an array index. */
const child = (node: SchemaNode, key: string): SchemaNode | undefined => {
  const n = resolve(node);
  if (n.properties?.[key]) return n.properties[key];
  if (typeof n.additionalProperties === 'object') return n.additionalProperties;
  return n.items;
};

const label = (path: string[], root: string) =>
  path.reduce((text, key) => (/^\d+$/.test(key) ? `${text}[${key}]` : text ? `${text}.${key}` : key), '') || root;

/**
 * `<field> must be <description>` for one ajv error: the deepest schema node on the error's
 * path that has a description says what the value must be.
 */
function message(error: ErrorObject, schema: SchemaNode, root: string): string {
  const path = error.instancePath.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push((error.params as { missingProperty: string }).missingProperty);
  let node: SchemaNode | undefined = schema;
  let described = { depth: 0, text: resolve(schema).description ?? 'valid' };
  for (let depth = 1; node && depth <= path.length; depth++) {
    node = child(node, path[depth - 1]!);
    const text = node && resolve(node).description;
    if (text) described = { depth, text };
  }
  return `${label(path.slice(0, described.depth), root)} must be ${described.text}`;
}

const messages = (errors: ErrorObject[] | null | undefined, def: keyof typeof validators, root: string): string =>
  [...new Set((errors ?? []).map((error) => message(error, defs[def]!, root)))].join('; ');

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a parsed body against the envelope (a batch) or the "known" query; events are checked one by one. */
export function checkBody(body: unknown): BodyCheck {
  const fields = isObject(body) ? body : {};
  const known = 'known' in fields && !('events' in fields);
  const validate = known ? validators.known : validators.envelope;
  if (validate(body)) return known ? { known: fields.known as string[] } : { events: fields.events as unknown[] };
  const errors = validate.errors ?? [];
  if (fields.v !== undefined && errors.some((e) => e.instancePath === '/v')) {
    return { status: 400, error: `unsupported wire format version ${JSON.stringify(fields.v)}: this collector accepts v 1` };
  }
  if (errors.some((e) => e.instancePath === '/events' && e.keyword === 'maxItems')) {
    const count = (fields.events as unknown[]).length;
    return { status: 413, error: `too many events in one batch: ${count} (at most ${MAX_EVENTS_PER_BATCH})` };
  }
  return { status: 400, error: messages(errors, known ? 'known' : 'envelope', 'body') };
}

/**
 * Validates one event and serialises it as it will be stored.
 * @returns the event and its JSON, or a message naming every bad field and why.
 */
export function prepareEvent(event: unknown): StorableEvent | string {
  if (!isValidEvent(event)) {
    validators.event(event);
    return messages(validators.event.errors, 'event', 'event');
  }
  // A parsed body holds no cycles nor BigInts: serialising cannot fail.
  const json = JSON.stringify(event);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_EVENT_BYTES) return `event is too large: ${bytes} bytes as stored JSON (at most ${MAX_EVENT_BYTES})`;
  return { event: event as ValidEvent, json };
}
