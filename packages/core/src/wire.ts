// Wire format v2: what every event of a batch has identically (page, locale, time zone, screen,
// campaign, click ids, consent, library, the visitor's ids...) travels once, in `shared`; each
// event keeps only what differs. The collector rebuilds every event as `shared` under the event's
// own fields, `context` and `props` merged field by field: the same event v1 sends whole (its wire.ts).
import type { WaybillEvent } from './types';

/** `"name":json` for each field of an object that JSON keeps (not `undefined`), in order. */
const members = (fields: object) =>
  Object.entries(fields)
    .map(([name, value]) => JSON.stringify({ [name]: value }).slice(1, -1))
    .filter((member) => member);

/** An object's JSON from its members, its `props`' (left out unless given) and its `context`'s (left out when it has none). */
const object = (fields: string[], context: string[], props?: string[]) =>
  '{' + [...fields, ...(props ? ['"props":{' + props + '}'] : []), ...(context[0] ? ['"context":{' + context + '}'] : [])] + '}';

/**
 * The JSON of `shared` and of each event's own fields, for a body of wire format v2. A field or
 * context field is shared when every event has it, identically (never the id, nothing of a lone
 * event); when every event has props, so are their leading fields that every event has,
 * identically (leading, so that rebuilt props keep their order).
 */
export const share = (events: WaybillEvent[]): [shared: string, own: string[]] => {
  const split = events.map((e) => [members({ ...e, context: undefined, props: undefined }), members(e.context || {}), members(e.props || {})]);
  const [fields, context] = [0, 1].map((part) =>
    events[1] ? split[0]![part]!.filter((m) => !m.startsWith('"id":') && split.every((s) => s[part]!.includes(m))) : [],
  ) as [string[], string[]];
  const first = split[0]![2]!;
  const differs = first.findIndex((m, i) => split.some((s) => s[2]![i] != m));
  const props = events[1] && events.every((e) => e.props) ? first.slice(0, differs < 0 ? first.length : differs) : undefined;
  return [
    object(fields, context, props),
    split.map(([f, c, p], i) =>
      object(
        f!.filter((m) => !fields.includes(m)),
        c!.filter((m) => !context.includes(m)),
        props ? (p!.length > props.length ? p!.slice(props.length) : undefined) : events[i]!.props && p,
      ),
    ),
  ];
};
