// Browser tests against a running devserver (infra/local/web-e2e.sh starts one and sets
// BASE_URL, e.g. http://demo.localhost:41234). They drive Debian's Chromium
// (/usr/bin/chromium, installed by infra/local/install.sh); Playwright's own browser
// downloads are never used.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.BASE_URL ?? 'http://demo.localhost:3000';
const artifacts = process.env.WEB_ARTIFACTS ?? '../tests/artifacts/web';

export default defineConfig({
  testDir: './e2e',
  outputDir: `${artifacts}/results`,
  fullyParallel: true,
  // The tests share the demo venue and are written to run side by side; more workers than
  // cores only adds waiting on the server's password hashing. WEB_E2E_WORKERS overrides.
  workers: Number(process.env.WEB_E2E_WORKERS) || 2,
  // In CI a test that fails is run once more; one that then passes is reported as flaky (and
  // repeated under the make test summary), so it is seen and fixed, not hidden.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
});
