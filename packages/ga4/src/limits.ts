// GA4 drops what is over its limits without a word ("[GA4] Event collection limits"); the
// adapter trims instead, and says what it trimmed in debug mode.
type Warn = (message: string, detail?: unknown) => void;

/** Parameters GA4 lets be longer than 100 characters. */
const LONG: Record<string, number> = { page_location: 1000, page_referrer: 420, page_title: 300 };
/** GA4's own item fields (by prefix); any other item key is a custom item parameter, 27 at most. */
const ITEM_FIELD = /^(item_|affiliation|coupon|discount|index|location_id|price|quantity|promotion_|creative_)/;

const trimmed = (warn: Warn, what: string, detail?: unknown) => warn('ga4: trimmed ' + what, detail);

/** An event or parameter name as GA4 takes it (letters, digits and `_`, from a letter, at most 40), or nothing. */
export const gaName = (name: string, warn: Warn): string | undefined => {
  const fixed = name.replace(/\W/g, '_').slice(0, 40);
  if (fixed != name) trimmed(warn, name);
  if (/^[a-z]/i.test(fixed)) return fixed;
  trimmed(warn, name + ' (dropped)');
};

/**
 * A copy of `params` within GA4's limits: names fixed, string values cut to 100 characters
 * (more for the page fields), at most `max` of the entries that `counts` (25 per event,
 * `items` aside), at most 200 items, each with at most 27 custom parameters.
 */
export const fit = (params: Record<string, unknown>, warn: Warn, max = 25, counts = (key: string) => key != 'items') => {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [raw, value] of Object.entries(params)) {
    const key = gaName(raw, warn);
    if (!key || value == null) continue;
    const limit = LONG[key] || 100;
    if (counts(key) && ++n > max) trimmed(warn, raw + ' (over ' + max + ' parameters)');
    else if (key == 'items' && Array.isArray(value)) {
      if (value.length > 200) trimmed(warn, 'items', value.length);
      out.items = value.slice(0, 200).map((item) => fit(Object(item), warn, 27, (k) => !ITEM_FIELD.test(k)));
    } else if (typeof value == 'string' && value.length > limit) {
      trimmed(warn, raw, value);
      out[key] = value.slice(0, limit);
    } else out[key] = value;
  }
  return out;
};
