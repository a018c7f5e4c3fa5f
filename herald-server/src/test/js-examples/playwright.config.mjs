// Debian's Chromium, headless, never a browser Playwright downloads: ExamplesBrowserTest passes its path in
// HERALD_CHROMIUM with the server's URL and token. The flags keep it from calling home on a closed network.
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
