// Server events v1, as defined by schema/server-events-v1.json (published, like wire-v1.json):
// ajv validates each event against the definition of its type; wire.ts's machinery words the errors.
import { readFileSync } from 'node:fs';
import { packageFile } from '../files';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import { describeErrors, type SchemaNode } from '../schema-errors';

/** The schema of server events v1 (`@waybill/collector/schema/server-events-v1.json`). */
export const SERVER_EVENTS_SCHEMA = JSON.parse(
  readFileSync(packageFile('schema/server-events-v1.json'), 'utf8'),
) as SchemaNode;

/** The five kinds of server event. */
export const SERVER_EVENT_TYPES = ['order_created', 'order_shipped', 'order_delivered', 'return_requested', 'refund'] as const;
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

/** The field of each type that says when it happened. */
export const TIME_FIELD: Record<ServerEventType, string> = {
  order_created: 'created_at',
  order_shipped: 'shipped_at',
  order_delivered: 'delivered_at',
  return_requested: 'requested_at',
  refund: 'refunded_at',
};

/** A valid server event, as sent, with its time resolved. */
export interface ServerEvent {
  id: string;
  type: ServerEventType;
  /** Always a string (a whole number sent is turned into one), as the join compares them. */
  transactionId: string;
  /** When it happened (ms since the epoch). */
  at: number;
  /** The fields sent, except `id` and `type`. */
  fields: Record<string, unknown>;
}

const defs = SERVER_EVENTS_SCHEMA.$defs!;
const batchDef = defs.batch!;
/** Most events in one request. */
export const MAX_SERVER_EVENTS = batchDef.properties!.events!.maxItems as number;

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false });
ajv.addSchema(SERVER_EVENTS_SCHEMA);
const byType = Object.fromEntries(
  SERVER_EVENT_TYPES.map((t) => [t, ajv.getSchema(`${SERVER_EVENTS_SCHEMA.$id}#/$defs/${t}`) as ValidateFunction]),
) as Record<ServerEventType, ValidateFunction>;
// The envelope alone: events are checked one by one, so that good ones are stored and bad ones named.
const { items: _items, ...eventsArray } = batchDef.properties!.events!;
const envelopeDef: SchemaNode = { ...batchDef, properties: { events: eventsArray } };
const envelope = ajv.compile(envelopeDef);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The events of a body, or why the body is refused whole. */
export function checkServerBatch(body: unknown): { events: unknown[] } | { status: 400 | 413; error: string } {
  if (envelope(body)) return { events: (body as { events: unknown[] }).events };
  const errors = envelope.errors ?? [];
  if (errors.some((e) => e.instancePath === '/events' && e.keyword === 'maxItems')) {
    return { status: 413, error: `too many events in one request: ${(body as { events: unknown[] }).events.length} (at most ${MAX_SERVER_EVENTS})` };
  }
  return { status: 400, error: describeErrors(errors, envelopeDef, defs, 'body') };
}

/** Milliseconds since the epoch of a schema-valid time, or NaN for a date that does not exist. */
function toMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value.replace(' ', 'T'));
  // Date.parse rolls 2025-02-30 over to March: a date that reads back differently does not exist.
  const day = value.slice(0, 10);
  return Number.isFinite(ms) && new Date(ms + offsetMs(value)).toISOString().slice(0, 10) === day ? ms : NaN;
}

/** The offset a RFC 3339 time carries, in ms (what to add to UTC to get its local time). */
function offsetMs(value: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(value);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
}

/**
 * Validates one server event.
 * @returns the event, or a message naming every bad field and why.
 */
export function parseServerEvent(value: unknown, receivedAt: number): ServerEvent | string {
  if (!isObject(value)) return 'event must be an object';
  const type = value.type as ServerEventType;
  const validate = typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type] : undefined;
  if (!validate) return describeErrors([{ instancePath: '/type', keyword: 'enum', schemaPath: '', params: {} }], defs.event!, defs, 'event');
  if (!validate(value)) return describeErrors(validate.errors, defs[type]!, defs, 'event');
  const { id, type: _type, ...fields } = value as Record<string, unknown> & { id: string };
  const timeField = TIME_FIELD[type];
  const sent = fields[timeField] as string | number | undefined;
  const at = sent === undefined ? receivedAt : toMs(sent);
  if (!Number.isFinite(at)) return `${timeField} must be a date that exists, not ${JSON.stringify(sent)}`;
  return { id, type, transactionId: String(fields.transaction_id), at, fields };
}
