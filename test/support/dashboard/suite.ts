import { suiteFixture } from '../../helpers/suite-fixture.ts';
import { startDashboardFixture, type DashboardFixture } from './fixture.ts';

/**
 * The dashboard fixture for one suite (the fixture module itself stays free of vitest, for the
 * bench).
 */
export function dashboardSuite(...args: Parameters<typeof startDashboardFixture>): DashboardFixture {
  return suiteFixture(
    () => startDashboardFixture(...args),
    (f) => f.close(),
  );
}
