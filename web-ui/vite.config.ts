import { defineConfig } from 'vite';

// Built into web-ui/dist and served by the daemon; no CDN, everything bundled.
export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});
