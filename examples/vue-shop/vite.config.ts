import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `pnpm build` at the root first: @waybill/* resolve to the packages' built dist/, exactly as from npm.
// `--mode development` builds Vue's development version into dist-dev/, where Vue prints its
// warnings: the end-to-end tests run both.
export default defineConfig(({ mode }) => ({
  plugins: [vue()],
  build: { outDir: mode == 'development' ? 'dist-dev' : 'dist', minify: mode != 'development' },
}));
