/// <reference types="vitest/config" />
// Vite builds the single-page app into dist/ (served by the devserver, and by CloudFront + S3
// in AWS). `npm run dev` proxies the API paths to a running `make dev` on 127.0.0.1:3000;
// open http://demo.localhost:5173 so the Host header still names the demo venue.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The Content-Security-Policy and the other security headers are sent as response headers,
// from one definition: CloudFront's response-headers policy in AWS and the devserver locally
// (infra/devserver/src/security_headers.rs; a test keeps the two equal). The built page has
// only external module scripts and stylesheets, so a strict policy holds.

const backend = process.env.MARQUEE_BACKEND ?? 'http://127.0.0.1:3000';
// The local mailbox is at http://localhost:3000/_dev/mail (the devserver's own host only).
const proxied = ['/api', '/admin/v1', '/admin/openapi.json', '/platform'];

export default defineConfig({
  plugins: [svelte(), ...(process.env.VITEST ? [svelteTesting()] : [])],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every script is an external module file: no inline scripts, so a strict CSP holds.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // The devserver picks the venue from Host, so keep the browser's (demo.localhost:5173).
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
