// The shop's own consent prompt: a bar at the bottom of every page. The choice is
// the shop's functional data (localStorage `shop-consent`); Waybill only hears it
// through `waybill('consent', …)`, the one-line hook any banner can call.
// A later version swaps this bar for a real consent banner; pages only use
// `initConsent`, `openConsent`, `currentConsent` and the `shop:consent` event.
import { h, fill } from './dom.js';
import { load, save } from './shop.js';
import { waybill } from './analytics.js';

const KEY = 'shop-consent';
/** Fired on `window` after the shopper made or changed a choice; `detail` is the choice. */
export const CONSENT_EVENT = 'shop:consent';

/** @typedef {{ analytics: 'granted' | 'denied', marketing: 'granted' | 'denied' }} Choice */

/** @type {Record<string, { label: string, choice: Choice }>} */
const OPTIONS = {
  reject: { label: 'Reject', choice: { analytics: 'denied', marketing: 'denied' } },
  analytics: { label: 'Analytics only', choice: { analytics: 'granted', marketing: 'denied' } },
  all: { label: 'Accept all', choice: { analytics: 'granted', marketing: 'granted' } },
};

const valid = (/** @type {unknown} */ s) => s === 'granted' || s === 'denied';

/** The stored choice, or `null` while the shopper has not chosen. @returns {Choice | null} */
export function currentConsent() {
  const saved = load(KEY);
  return saved && valid(saved.analytics) && valid(saved.marketing)
    ? { analytics: saved.analytics, marketing: saved.marketing }
    : null;
}

/** @type {HTMLElement | null} */
let bar = null;

/** Tell Waybill the stored choice, or ask for one. Call once per page, before any event. */
export function initConsent() {
  const choice = currentConsent();
  if (choice) waybill('consent', choice);
  else openConsent();
}

/** Show the prompt (again): the footer's "Privacy settings" link, so a shopper can revoke. */
export function openConsent() {
  const choice = currentConsent();
  if (!bar) {
    bar = h('section', { class: 'consent', role: 'dialog', 'aria-labelledby': 'consent-title' });
    document.body.append(bar);
  }
  fill(bar,
    h('div', { class: 'consent__text' },
      h('h2', { id: 'consent-title' }, 'Your privacy, your choice'),
      h('p', null,
        'We would like to measure how the shop is used (analytics) and tell ad partners which ads brought you here (marketing). ',
        choice
          ? 'Change your mind whenever you like: a category you reject stops at once, and what was kept for it is deleted.'
          : [h('strong', null, 'Nothing is sent or stored until you choose.'), ' You can change your mind at any time under “Privacy settings”.']),
      choice && h('p', { class: 'consent__current' }, `Your current choice: analytics ${choice.analytics}, marketing ${choice.marketing}.`)),
    h('div', { class: 'consent__actions' },
      Object.entries(OPTIONS).map(([key, option]) =>
        h('button', {
          type: 'button',
          class: key === 'all' ? 'btn btn--primary' : 'btn btn--secondary',
          'data-choice': key,
          onclick: () => choose(option.choice),
        }, option.label)),
      choice && h('button', { type: 'button', class: 'consent__close', 'aria-label': 'Keep my current choice', onclick: closeConsent }, '×')));
  bar.hidden = false;
}

function closeConsent() {
  if (bar) bar.hidden = true;
}

/** @param {Choice} choice */
function choose(choice) {
  save(KEY, { ...choice, at: new Date().toISOString() });
  waybill('consent', choice);
  closeConsent();
  window.dispatchEvent(new CustomEvent(CONSENT_EVENT, { detail: choice }));
}
