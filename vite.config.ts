import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { wasmThreadsPlugin } from './scripts/vite/wasmThreadsPlugin';

// Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer).
// Static hosts must send the same two headers; see README.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// A dedicated worker ignores the page's <meta> CSP and follows its own
// response's header, so the built app is served with the same policy as a
// header too (index.html stays its one source). Not in dev: Vite's dev client
// needs inline scripts and a WebSocket.
const contentSecurityPolicy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/
  .exec(readFileSync(new URL('index.html', import.meta.url), 'utf8'))?.[1];
if (!contentSecurityPolicy) throw new Error('index.html lost its Content-Security-Policy meta tag');

export default defineConfig({
  plugins: [react()],
  base: './',
  worker: {
    format: 'es',
    plugins: () => [wasmThreadsPlugin()],
    // src/kernels/prepareBackend.ts imports the backend packages itself (under
    // Node it must, after Dawn is installed); the workers import them up front
    // as well, on purpose: one chunk, no second fetch at a backend's start.
    rolldownOptions: { checks: { ineffectiveDynamicImport: false } },
  },
  // `npm run dev` pre-bundles tfjs without the worker plugins: patch it there too.
  optimizeDeps: { rolldownOptions: { plugins: [wasmThreadsPlugin()] } },
  server: { headers: crossOriginIsolation },
  preview: { headers: { ...crossOriginIsolation, 'Content-Security-Policy': contentSecurityPolicy } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // Two pages: the app, and the benchmark page that `npm run bench` drives.
    rolldownOptions: {
      input: {
        index: `${import.meta.dirname}/index.html`,
        bench: `${import.meta.dirname}/bench.html`,
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
