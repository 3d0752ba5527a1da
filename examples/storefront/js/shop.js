// The shop itself: catalogue, cart, orders and money. Nothing here knows about
// Waybill; the pages turn shop data into analytics events (see analytics.js).
//
// Storage: the shop keeps its own functional state in localStorage under keys that
// start with `shop-` (cart, consent choice, last order), and only after the shopper
// did something that needs it. It writes nothing while a visitor just browses.

export const CURRENCY = 'USD';
const TAX_RATE = 0.08;
const FREE_SHIPPING_FROM = 100;

/**
 * @typedef {{ id: string, name: string, price: number, category: string, blurb: string, details: string[], color: string }} Product
 * @typedef {{ product: Product, quantity: number }} Line
 * @typedef {{ id: string, label: string, price: number, days: string }} ShippingOption
 * @typedef {{ id: string, placedAt: number, lines: { id: string, quantity: number }[], subtotal: number, shipping: number, tax: number, total: number, shippingTier: string, paymentType: string, name: string, city: string }} Order
 */

/** @type {Product[]} */
export const products = [
  { id: 'canvas-tote', name: 'Canvas Market Tote', price: 24, category: 'Bags', color: '#f3e7d3',
    blurb: 'Heavy 16 oz cotton canvas with long handles and an inside pocket. Carries a week of groceries.',
    details: ['16 oz organic cotton canvas', '38 × 42 cm, 12 cm gusset', 'Inside zip pocket'] },
  { id: 'enamel-mug', name: 'Enamel Camp Mug', price: 18, category: 'Kitchen', color: '#dbe9f4',
    blurb: 'A steel mug with a glossy enamel coat and a rolled rim. At home on a desk or a camp stove.',
    details: ['350 ml', 'Enamelled steel, stainless rim', 'Dishwasher safe'] },
  { id: 'organic-tee', name: 'Organic Cotton Tee', price: 30, category: 'Apparel', color: '#e4efe1',
    blurb: 'A mid-weight tee cut from soft organic jersey, garment-dyed for a lived-in colour.',
    details: ['180 g/m² organic jersey', 'Regular fit', 'Sizes XS–XXL'] },
  { id: 'wool-beanie', name: 'Merino Rib Beanie', price: 26, category: 'Apparel', color: '#f6dcd6',
    blurb: 'Fine merino knit in a deep rib with a turn-up cuff. Warm, light and never itchy.',
    details: ['100% extra-fine merino', 'One size', 'Hand wash cold'] },
  { id: 'linen-notebook', name: 'Linen Dot Notebook', price: 14, category: 'Stationery', color: '#ece6f5',
    blurb: 'A5 notebook bound in linen, with 160 pages of dotted, fountain-pen-friendly paper.',
    details: ['A5, 160 pages', '100 g/m² dotted paper', 'Lay-flat binding'] },
  { id: 'ceramic-planter', name: 'Stoneware Planter', price: 32, category: 'Home', color: '#f4ecd0',
    blurb: 'Wheel-thrown stoneware with a matte glaze, a drainage hole and a matching saucer.',
    details: ['Ø 14 cm, 13 cm tall', 'Drainage hole and saucer', 'Made in small batches'] },
];

/** @type {ShippingOption[]} */
export const shippingOptions = [
  { id: 'standard', label: 'Standard', price: 5, days: '3–5 business days' },
  { id: 'express', label: 'Express', price: 15, days: '1–2 business days' },
];

/** @param {string | null} id */
export const findProduct = (id) => products.find((p) => p.id === id);

/** Image of a product. @param {Product} product */
export const imageOf = (product) => `/img/${product.id}.svg`;

/** Link to a product page. @param {Product} product */
export const urlOf = (product) => `/product.html?id=${encodeURIComponent(product.id)}`;

/** Round to cents, so sums of prices stay exact in the events. @param {number} n */
export const cents = (n) => Math.round(n * 100) / 100;

const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: CURRENCY });
/** @param {number} n */
export const money = (n) => formatter.format(n);

// --- storage (localStorage can throw: private mode, quota, disabled storage) ---

/** @param {string} key */
export function load(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw == null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

/** @param {string} key @param {unknown} value */
export function save(key, value) {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // The shop still works for this page view; the state is just not remembered.
  }
}

// --- cart ---

const CART_KEY = 'shop-cart';
const CART_EVENT = 'shop:cart';

/** The cart as lines of known products. @returns {Line[]} */
export function cartLines() {
  const saved = load(CART_KEY);
  if (!Array.isArray(saved)) return [];
  return saved.flatMap((entry) => {
    const product = findProduct(entry && entry.id);
    const quantity = Math.floor(Number(entry && entry.quantity));
    return product && quantity > 0 ? [{ product, quantity }] : [];
  });
}

/** @param {Line[]} lines */
function store(lines) {
  save(CART_KEY, lines.length ? lines.map((l) => ({ id: l.product.id, quantity: l.quantity })) : null);
  window.dispatchEvent(new Event(CART_EVENT));
}

/**
 * Set the quantity of a product in the cart (0 removes it).
 * @param {string} id @param {number} quantity
 * @returns {number} the quantity before the change
 */
export function setQuantity(id, quantity) {
  const lines = cartLines();
  const line = lines.find((l) => l.product.id === id);
  const before = line ? line.quantity : 0;
  const product = findProduct(id);
  if (!product) return before;
  const next = Math.max(0, Math.min(99, Math.floor(quantity)));
  if (line) line.quantity = next;
  else lines.push({ product, quantity: next });
  store(lines.filter((l) => l.quantity > 0));
  return before;
}

/** @param {string} id @param {number} [quantity] */
export function addToCart(id, quantity = 1) {
  const line = cartLines().find((l) => l.product.id === id);
  setQuantity(id, (line ? line.quantity : 0) + quantity);
}

export const clearCart = () => store([]);

/** @param {Line[]} lines */
export const countOf = (lines) => lines.reduce((n, l) => n + l.quantity, 0);

/** @param {Line[]} lines */
export const subtotalOf = (lines) => cents(lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0));

/**
 * Call `listener` whenever the cart changes, in this tab or another.
 * @param {() => void} listener
 */
export function onCartChange(listener) {
  window.addEventListener(CART_EVENT, listener);
  window.addEventListener('storage', (e) => { if (e.key === CART_KEY) listener(); });
}

// --- totals and orders ---

/**
 * Shipping, tax and total for some lines.
 * @param {Line[]} lines @param {ShippingOption | undefined} [shipping]
 */
export function totalsOf(lines, shipping) {
  const subtotal = subtotalOf(lines);
  const shippingCost = !shipping ? 0 : shipping.id === 'standard' && subtotal >= FREE_SHIPPING_FROM ? 0 : shipping.price;
  const tax = cents(subtotal * TAX_RATE);
  return { subtotal, shipping: shippingCost, tax, total: cents(subtotal + shippingCost + tax) };
}

export const freeShippingFrom = FREE_SHIPPING_FROM;

const ORDER_KEY = 'shop-order';

/** A fresh order number, e.g. `WB-LZ3K9Q-7F2A`. */
export const newOrderId = () =>
  `WB-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

/** Keep the placed order for the confirmation page (no email, phone or street). @param {Order} order */
export const saveOrder = (order) => save(ORDER_KEY, order);

/** @param {string | null} id @returns {Order | null} */
export function findOrder(id) {
  const order = load(ORDER_KEY);
  return order && order.id === id ? order : null;
}
