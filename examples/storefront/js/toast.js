// A small, polite notification ("Added to your cart").
import { h } from './dom.js';

/** @type {HTMLElement | null} */
let region = null;

/**
 * Show a message for a few seconds, with an optional link.
 * @param {string} message
 * @param {{ href: string, label: string }} [link]
 */
export function toast(message, link) {
  if (!region) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const note = h('div', { class: 'toast' }, h('span', null, message), link && h('a', { href: link.href }, link.label));
  region.append(note);
  setTimeout(() => note.remove(), 4000);
}
