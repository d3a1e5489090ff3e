import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The web UI: built into dist/web (served by `phyllo serve`), no CDN, no external fonts.
// Component tests (Vitest) of the pure parts run in Node: src/**/*.test.ts(x).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Console (noVNC, xterm.js) and chart (uPlot) code is loaded by the pages that use them (dynamic
    // import), so it never counts in the initial JavaScript.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8006', ws: true }, '/login': 'http://127.0.0.1:8006' },
  },
  test: { include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
});
