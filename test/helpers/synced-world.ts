import { suiteFixture } from './suite-fixture.ts';
import { World, type WorldOptions } from './world.ts';

/** A World started and synced once before the suite's tests, closed after them. */
export function syncedWorld(opts?: WorldOptions): World {
  return suiteFixture(
    async () => {
      const world = await World.start(opts);
      await world.sync();
      return world;
    },
    (w) => w.close(),
  );
}
