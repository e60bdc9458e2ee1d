import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// Outside CI, where both are required (.ci/run installs them), a machine without a PostgreSQL
// server or without Debian's Chromium leaves the files that need them out instead of failing; the
// store suite prints a note for the PostgreSQL case.
const ci = Boolean(process.env['CI']);
const withoutPostgres = !process.env['TANDEM_TEST_POSTGRES'] && !ci;
const withoutChromium = !existsSync('/usr/bin/chromium') && !ci;
if (withoutChromium)
  process.stderr.write('note: /usr/bin/chromium is missing: the browser test is left out\n');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      ...(withoutPostgres ? ['test/e2e/postgres.test.ts', 'src/engine/workers/multi-worker.test.ts'] : []),
      ...(withoutChromium ? ['src/server/dashboard/*.browser.test.ts'] : []),
    ],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
