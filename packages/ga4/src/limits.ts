// GA4 drops what is over its limits without a word ("[GA4] Event collection limits"); the
// adapter trims instead, and says so in debug mode.
type Warn = (message: string, detail?: unknown) => void;

const NAME = 40;
const PARAMS = 25;
const VALUE = 100;
const ITEMS = 200;
const ITEM_PARAMS = 27;
/** Parameters GA4 lets be longer than 100 characters. */
const LONG: Record<string, number> = { page_location: 1000, page_referrer: 420, page_title: 300 };
/** GA4's own item fields; any other item key is a custom item parameter (27 at most). */
const ITEM_FIELD = /^(item_(id|name|brand|variant|list_id|list_name|category[2-5]?)|affiliation|coupon|discount|index|location_id|price|quantity|promotion_(id|name)|creative_(name|slot))$/;

/** An event or parameter name as GA4 takes it (letters, digits and `_`, from a letter, at most 40), or nothing. */
export const gaName = (name: string, warn: Warn): string | undefined => {
  const fixed = name.replace(/\W/g, '_').slice(0, NAME);
  if (fixed != name) warn('ga4: name changed to fit GA4 (letters, digits, _, 40 chars)', name);
  if (/^[a-z]/i.test(fixed)) return fixed;
  warn('ga4: name does not start with a letter, dropped', name);
};

/**
 * A copy of `params` within GA4's limits: names fixed, string values trimmed, at most `max`
 * of the entries that `counts`, `items` at most 200, each item with at most 27 custom parameters.
 */
export const fit = (params: Record<string, unknown>, warn: Warn, max = PARAMS, counts = (key: string) => key != 'items') => {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [raw, value] of Object.entries(params)) {
    const key = gaName(raw, warn);
    if (!key || value == null) continue;
    if (counts(key) && ++n > max) {
      warn('ga4: over ' + max + ' parameters, dropped', raw);
      continue;
    }
    const limit = LONG[key] || VALUE;
    if (key == 'items' && Array.isArray(value)) {
      if (value.length > ITEMS) warn('ga4: over 200 items, dropped the rest', value.length);
      out.items = value.slice(0, ITEMS).map((item) => fit(Object(item), warn, ITEM_PARAMS, (k) => !ITEM_FIELD.test(k)));
    } else if (typeof value == 'string' && value.length > limit) {
      warn('ga4: value over ' + limit + ' characters, trimmed', raw);
      out[key] = value.slice(0, limit);
    } else out[key] = value;
  }
  return out;
};
