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

// The unit tier: pure logic without I/O (no server, no database, no child process), so that
// `npm run test:unit` answers in seconds. Everything else is the integration tier.
const unit = [
  'src/core/**/*.test.ts',
  'src/config/**/*.test.ts',
  'src/cli/args.test.ts',
  'src/cli/progress.test.ts',
  'src/cli/status-report.test.ts',
  'src/connectors/*/{config,errors,events,mapping,paging,profile,props,records}.test.ts',
  'src/store/dialect.test.ts',
];

const excluded = [
  ...configDefaults.exclude,
  ...(withoutPostgres
    ? ['test/e2e/postgres.test.ts', 'test/e2e/store-copy.test.ts', 'src/engine/workers/multi-worker.test.ts']
    : []),
  ...(withoutChromium ? ['src/server/dashboard/*.browser.test.ts'] : []),
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit, exclude: excluded } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...excluded, ...unit],
        },
      },
    ],
  },
});
