import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `pnpm build` at the root first: @waybill/* resolve to the packages' built dist/, exactly as from npm.
// `--mode development` builds React's development version into dist-dev/, where StrictMode
// runs every effect twice and React prints its warnings: the end-to-end tests run both.
export default defineConfig(({ mode }) => ({
  plugins: [react()],
  build: { outDir: mode == 'development' ? 'dist-dev' : 'dist', minify: mode != 'development' },
}));
