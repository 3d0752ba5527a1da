// The `dist` test project runs against built packages: refuse to test a build older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (dir) =>
  Math.max(0, ...readdirSync(dir, { recursive: true }).map((file) => statSync(join(dir, String(file))).mtimeMs));

export default function checkBuilt() {
  for (const name of ['core', 'first-party', 'consent', 'tiktok', 'ga4', 'web-vitals', 'react', 'vue']) {
    const built = `packages/${name}/dist/index.js`;
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`pnpm build\` before the dist unit tests`);
    if (newest(`packages/${name}/src`) > statSync(built).mtimeMs) {
      throw new Error(`${built} is older than packages/${name}/src: run \`pnpm build\` before the dist unit tests`);
    }
  }
}
