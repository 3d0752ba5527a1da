// Builds DOM nodes without innerHTML, so the shop keeps working under a strict
// Content-Security-Policy with Trusted Types enforced.

/**
 * Create an element. In `attrs`, a function under an `on…` key becomes an event listener,
 * an object under `style` sets CSS properties (custom properties too), `true` sets an
 * empty attribute, and `false`, `null` and `undefined` are skipped.
 * Children may be nodes, strings, numbers, arrays or nullish (skipped).
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (typeof value === 'function' && key.startsWith('on')) el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    // Through the CSSOM, not a style attribute: CSP `style-src` without 'unsafe-inline' allows only this.
    else if (key === 'style' && value && typeof value === 'object') for (const [prop, v] of Object.entries(value)) el.style.setProperty(prop, String(v));
    else if (value === true) el.setAttribute(key, '');
    else if (value !== false && value != null) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/**
 * Append children (same rules as `h`) to a node.
 * @param {Node} parent
 * @param {unknown[]} children
 */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replace the children of `parent`.
 * @param {Element} parent
 * @param {...unknown} children
 */
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/** @param {string} selector */
export const $ = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
