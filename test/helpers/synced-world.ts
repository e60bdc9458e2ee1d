import { afterAll, beforeAll } from 'vitest';
import { World, type WorldOptions } from './world.ts';

/**
 * A World started and synced once before the suite's tests and closed after them. It answers like
 * the World itself (a stand-in that forwards to it once `beforeAll` has run), so that a suite reads
 * `const w = syncedWorld();` instead of the same six lines of hooks.
 */
export function syncedWorld(opts?: WorldOptions): World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await World.start(opts);
    await world.sync();
  });
  afterAll(() => world?.close());
  return new Proxy({} as World, {
    get(_, key) {
      if (!world) throw new Error('the World is used before beforeAll started it');
      const value: unknown = Reflect.get(world, key, world);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(world) : value;
    },
  });
}
