import { defineConfig } from 'vite';

// Built into web-ui/dist and served by the daemon; no CDN, everything bundled. `--mode test` builds
// web-ui/dist-test for the browser tests: the same page plus the test hooks (src/test-hooks.ts).
export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  build: { outDir: mode === 'test' ? 'dist-test' : 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
}));
