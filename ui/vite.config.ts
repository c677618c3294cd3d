// Vite config for the web UI. The same build is loaded by the Tauri window (Tauri IPC transport)
// and served by `lti-inspector serve` (HTTP transport); the transport is picked at run time.
//
// `npm run dev` serves on 5173 (Tauri's devUrl). To use it in a plain browser against a running
// `lti-inspector serve`, set LTI_INSPECTOR_API=http://127.0.0.1:4470 and open
// http://localhost:5173/?token=<token printed by serve>: /api is proxied there.
import { defineConfig } from 'vitest/config';

const api = process.env.LTI_INSPECTOR_API;

export default defineConfig({
  // No @vitejs/plugin-react: esbuild's automatic JSX runtime is all we need.
  esbuild: { jsx: 'automatic' },
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    proxy: api
      ? {
          '/api': {
            target: api,
            changeOrigin: true,
            configure: (proxy) => {
              // serve refuses foreign Origins; the dev proxy speaks for the page.
              proxy.on('proxyReq', (req) => req.removeHeader('origin'));
            },
          },
        }
      : undefined,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
