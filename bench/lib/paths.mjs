import { resolve } from 'node:path';

/** The bench package folder. */
export const BENCH = resolve(import.meta.dirname, '..');
/** The repository root. */
export const ROOT = resolve(BENCH, '..');
