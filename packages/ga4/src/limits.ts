// GA4 drops what is over its limits without a word ("[GA4] Event collection limits"); the
// adapter trims instead, and says what it trimmed in debug mode.

/** Says what was trimmed (the adapter warns `ga4: trimmed <what>` in debug mode). */
export type Trimmed = (what: string, detail?: unknown) => void;

/** Parameters GA4 lets be longer than 100 characters. */
const LONG: Record<string, number> = { page_location: 1000, page_referrer: 420, page_title: 300 };
/** GA4's own item fields (by prefix); any other item key is a custom item parameter, 27 at most. */
const ITEM_FIELD = /^(item_|affiliation|coupon|discount|index|location_id|price|quantity|promotion_|creative_)/;

/** An event or parameter name as GA4 takes it (letters, digits and `_`, from a letter, at most 40), or nothing. */
export const gaName = (name: string, trimmed: Trimmed): string | undefined => {
  const fixed = name.replace(/\W/g, '_').slice(0, 40);
  if (fixed != name) trimmed(name);
  if (/^[a-z]/i.test(fixed)) return fixed;
  trimmed(name + ' (dropped)');
};

/**
 * A copy of `params` within GA4's limits: names fixed, string values cut to 100 characters
 * (more for the page fields), at most `max` entries besides those `uncounted` matches (25 per
 * event, `items` aside), at most 200 items, each with at most 27 custom parameters.
 */
export const fit = (params: Record<string, unknown>, trimmed: Trimmed, max = 25, uncounted = /^items$/) => {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (let [raw, value] of Object.entries(params)) {
    const key = gaName(raw, trimmed);
    if (!key || value == null) continue;
    const limit = LONG[key] || 100;
    if (!uncounted.test(key) && ++n > max) trimmed(raw + ' (over ' + max + ' parameters)');
    else {
      if (key == 'items' && Array.isArray(value)) {
        if (value.length > 200) trimmed('items', value.length);
        value = value.slice(0, 200).map((item) => fit(Object(item), trimmed, 27, ITEM_FIELD));
      } else if (typeof value == 'string' && value.length > limit) {
        trimmed(raw, value);
        value = value.slice(0, limit);
      }
      out[key] = value;
    }
  }
  return out;
};
