import { fileURLToPath } from 'node:url';

/**
 * The path of a file the package ships (`schema/…`, `dashboard/…`). This module sits one folder
 * below the package root both as source (`src/files.ts`) and built (in `dist/index.js`), so the
 * same relative URL works from either.
 */
export const packageFile = (path: string): string => fileURLToPath(import.meta.resolve(`../${path}`));
