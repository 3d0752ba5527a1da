// Wire format v2: what every event of a batch has identically (page, locale, time zone, screen,
// campaign, click ids, consent, library, the visitor's ids...) travels once, in `shared`; each
// event keeps only what differs. The collector rebuilds every event as `shared` under the event's
// own fields, `context` merged field by field: the same event v1 sends whole (its wire.ts).
import type { WaybillEvent } from './types';

/** `"name":json` for each field of an object that JSON keeps (not `undefined`), in order. */
const members = (fields: object) =>
  Object.entries(fields)
    .map(([name, value]) => JSON.stringify({ [name]: value }).slice(1, -1))
    .filter((member) => member);

/** An object's JSON from its members and its `context`'s (left out when it has none). */
const object = (fields: string[], context: string[]) => '{' + (context[0] ? [...fields, '"context":{' + context + '}'] : fields) + '}';

/**
 * The JSON of `shared` and of each event's own fields, for a body of wire format v2. A member
 * is shared when every event has it, identically: never the id, and nothing of a lone event.
 */
export const share = (events: WaybillEvent[]): [shared: string, own: string[]] => {
  const split = events.map((e) => [members({ ...e, context: undefined }), members(e.context || {})]);
  const [fields, context] = [0, 1].map((part) =>
    events[1] ? split[0]![part]!.filter((m) => !m.startsWith('"id":') && split.every((s) => s[part]!.includes(m))) : [],
  ) as [string[], string[]];
  return [object(fields, context), split.map(([f, c]) => object(f!.filter((m) => !fields.includes(m)), c!.filter((m) => !context.includes(m))))];
};
