import { afterAll, beforeAll } from 'vitest';

/**
 * A fixture started before a suite's tests and closed after them, returned at once as a stand-in
 * that forwards to it once `beforeAll` has run: `const w = suiteFixture(start)` replaces a `let`,
 * a `beforeAll` and an `afterAll`.
 */
export function suiteFixture<T extends object>(start: () => Promise<T>, close: (t: T) => unknown): T {
  let fixture: T | undefined;
  beforeAll(async () => {
    fixture = await start();
  });
  afterAll(() => (fixture ? close(fixture) : undefined));
  return new Proxy({} as T, {
    get(_, key) {
      if (!fixture) throw new Error('a suite fixture is used before beforeAll started it');
      const value: unknown = Reflect.get(fixture, key, fixture);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(fixture) : value;
    },
  });
}
