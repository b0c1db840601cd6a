/// <reference types="vitest/config" />
// Vite builds the single-page app into dist/ (served by the devserver, and by CloudFront + S3
// in AWS). `npm run dev` proxies the API paths to a running `make dev` on 127.0.0.1:3000;
// open http://demo.localhost:5173 so the Host header still names the demo venue.
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The built page may run only its own external module scripts and stylesheets and talk only
// to its own origin, plus secure WebSockets: in AWS the live seat map is API Gateway's
// WebSocket API on its own host (named at run time by /api/v1/site `live.url`); the
// devserver's ws://{host}/live is same-origin. Images may come from https (venue logos, event
// images) and, for local development, from *.localhost. Locally the checkout's test-card form
// posts the card to the Stripe test double on its own port (/api/v1/site
// `payments.testCardUrl`, e.g. http://127.0.0.1:8702), hence the loopback connect sources.
// With real Stripe (payments mode test/live) the checkout loads Stripe.js and its Payment
// Element: what Stripe documents for it (js.stripe.com scripts and frames, hooks.stripe.com
// frames for 3-D Secure, api.stripe.com connections), as the CloudFront header in
// infra/template.yaml allows too.
// (Served as a header too, later; frame-ancestors needs the header.)
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' https://js.stripe.com",
  "style-src 'self'",
  "img-src 'self' https: http://localhost:* http://*.localhost:*",
  "font-src 'self'",
  "connect-src 'self' wss: http://localhost:* http://127.0.0.1:* http://*.localhost:* https://api.stripe.com",
  "frame-src 'self' https://js.stripe.com https://hooks.stripe.com",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

// Only in the build: Vite's dev server injects <style> elements for hot reloading.
function contentSecurityPolicy(): Plugin {
  return {
    name: 'marquee-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

const backend = process.env.MARQUEE_BACKEND ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/admin/v1', '/admin/openapi.json', '/platform', '/_dev'];

export default defineConfig({
  plugins: [svelte(), contentSecurityPolicy(), ...(process.env.VITEST ? [svelteTesting()] : [])],
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
