// The browser tests of the admin page and the examples: one Herald in dev mode started for all of them by
// io.herald.server.client.BrowserTest, which passes the server's URL and token and Debian's Chromium (never a
// browser Playwright downloads) in HERALD_CHROMIUM. The flags keep Chromium from calling home on a closed network.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.mjs',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.HERALD_REPORT ?? 'test-results/report.json' }]],
  outputDir: process.env.HERALD_OUTPUT_DIR ?? 'test-results',
  use: {
    headless: true,
    launchOptions: {
      executablePath: process.env.HERALD_CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run'],
    },
  },
});
