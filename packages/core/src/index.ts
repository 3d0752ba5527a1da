export { createTracker, inert as inertTracker } from './tracker';
export { askKnown, sendBatch } from './transport';
export { loadScript } from './script';
export { sha256, normaliseEmail, normalisePhone } from './hash';
export type * from './types';
export type * from './catalogue';
