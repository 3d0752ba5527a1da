// Live view of what the collector stored: polls GET /events and GET /health every
// second. This page is the demo's window on the collector; it sends no events itself.
import { h, fill, $ } from '../dom.js';

const LIMIT = 50;
const POLL_MS = 1000;

const params = new URLSearchParams(location.search);
const filter = /** @type {HTMLInputElement} */ ($('#name-filter'));
const pause = /** @type {HTMLButtonElement} */ ($('#pause'));
const rows = $('#event-rows');
const status = $('#status');
filter.value = params.get('name') || '';

/** Ids of the events already shown, to highlight new arrivals. */
const seen = new Set();
/** Ids whose raw JSON is open. */
const open = new Set();
let first = true;
let paused = false;
let lastSignature = '';
/** @type {any[]} */
let events = [];

pause.addEventListener('click', () => {
  paused = !paused;
  pause.textContent = paused ? 'Resume' : 'Pause';
  pause.setAttribute('aria-pressed', String(paused));
});
filter.addEventListener('change', () => {
  const url = new URL(location.href);
  if (filter.value) url.searchParams.set('name', filter.value);
  else url.searchParams.delete('name');
  history.replaceState(null, '', url);
  lastSignature = '';
  poll();
});

let timer = 0;
async function poll() {
  clearTimeout(timer);
  if (!paused) {
    try {
      const query = new URLSearchParams({ limit: String(LIMIT) });
      if (filter.value) query.set('name', filter.value);
      const [list, health] = await Promise.all([getJson(`/events?${query}`), getJson('/health')]);
      events = Array.isArray(list) ? list : Array.isArray(list && list.events) ? list.events : [];
      showHealth(health);
      const signature = events.map((e) => e && e.id).join();
      if (signature !== lastSignature) {
        lastSignature = signature;
        render();
      }
      fill(status, h('span', { class: 'dot dot--live' }), `Live · updated ${new Date().toLocaleTimeString()}`);
    } catch {
      fill(status, h('span', { class: 'dot dot--down' }), 'Collector not reachable. Is `pnpm start` still running?');
    }
  }
  timer = window.setTimeout(poll, POLL_MS);
}

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** @param {any} health */
function showHealth(health) {
  for (const key of ['events', 'requests', 'accepted', 'duplicates', 'rejected']) {
    const el = document.querySelector(`[data-health="${key}"]`);
    const value = health && health[key];
    if (el) el.textContent = typeof value === 'number' ? value.toLocaleString() : '–';
  }
}

function render() {
  if (!events.length) {
    fill(rows, h('tr', null, h('td', { colspan: 5, class: 'empty-row' },
      filter.value ? `No “${filter.value}” events yet.` : 'No events yet. Browse the shop: nothing is sent until you accept analytics.')));
    return;
  }
  fill(rows, events.map((event) => {
    const id = String(event && event.id);
    const fresh = !first && !seen.has(id);
    seen.add(id);
    const raw = h('tr', { class: 'raw', hidden: !open.has(id) },
      h('td', { colspan: 5 }, h('pre', null, JSON.stringify(event, null, 2))));
    const row = h('tr', {
      class: fresh ? 'event is-new' : 'event', tabindex: 0, 'aria-expanded': String(open.has(id)),
      title: 'Show the raw JSON',
      onclick: () => toggle(id, row, raw),
      onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(id, row, raw); } },
    },
      h('td', { class: 'nowrap muted' }, time(event)),
      h('td', null, h('code', { class: 'event-name' }, String(event.name ?? '?'))),
      h('td', null, h('span', { class: `type type--${event.type}` }, String(event.type ?? '?'))),
      h('td', null, h('div', { class: 'props' }, summary(event))),
      h('td', { class: 'nowrap' }, consent(event)));
    return [row, raw];
  }));
  first = false;
}

/** @param {string} id @param {HTMLElement} row @param {HTMLElement} raw */
function toggle(id, row, raw) {
  if (open.has(id)) open.delete(id);
  else open.add(id);
  raw.hidden = !open.has(id);
  row.setAttribute('aria-expanded', String(open.has(id)));
}

/** @param {any} event */
function time(event) {
  const ts = typeof event.ts === 'number' ? event.ts : Date.parse(event.ts);
  if (!Number.isFinite(ts)) return '–';
  const d = new Date(ts);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

const money = (/** @type {number} */ value, /** @type {string} */ currency) => {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
};

/** The props a person looks for first, as small "key value" chips. @param {any} event */
function summary(event) {
  const props = event.props && typeof event.props === 'object' ? event.props : {};
  /** @type {[string, string][]} */
  const chips = [];
  if (event.type === 'page') chips.push(['path', String(event.context?.page?.path ?? props.path ?? '')]);
  if (typeof props.value === 'number') chips.push(['value', money(props.value, props.currency || 'USD')]);
  for (const key of ['transaction_id', 'search_term', 'item_list_name', 'shipping_tier', 'payment_type', 'tax', 'shipping']) {
    if (props[key] !== undefined) chips.push([key, String(props[key])]);
  }
  if (Array.isArray(props.items)) {
    chips.push(['items', props.items.map((/** @type {any} */ i) => `${i.item_name ?? i.item_id}${i.quantity > 1 ? ` ×${i.quantity}` : ''}`).join(', ')]);
  }
  if (event.type === 'identify' || event.userId) chips.push(['userId', String(event.userId ?? 'none')]);
  if (event.traits && typeof event.traits === 'object') {
    for (const [key, value] of Object.entries(event.traits)) {
      chips.push([key, typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 10)}… (SHA-256)` : String(value)]);
    }
  }
  if (event.id && String(event.id).startsWith('purchase-')) chips.push(['event id', String(event.id)]);
  return chips.map(([key, value]) => h('span', { class: 'chip' }, h('span', { class: 'chip__key' }, key), ' ', value));
}

/** @param {any} event */
function consent(event) {
  const snapshot = event.context && event.context.consent;
  if (!snapshot || typeof snapshot !== 'object') return '–';
  return Object.entries(snapshot)
    .filter(([category]) => category !== 'necessary')
    .map(([category, state]) => h('span', { class: `badge badge--${state}` }, `${category}: ${state}`));
}

poll();
