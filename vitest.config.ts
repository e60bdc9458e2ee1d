import { configDefaults, defineConfig } from 'vitest/config';

// Without a PostgreSQL server (and outside CI, where it is required), the PostgreSQL-only files are
// left out instead of failing; the store suite prints a note for the same case.
const withoutPostgres = !process.env['TANDEM_TEST_POSTGRES'] && !process.env['CI'];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      ...(withoutPostgres ? ['test/e2e/postgres.test.ts', 'src/engine/workers/multi-worker.test.ts'] : []),
    ],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
