import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';

// Issue 15, finding 14: before 2026.1 the organizations probe of /api/admin/organizations answers
// 404, which the connector expects (allowStatus). Counting it as an API error made an alert on
// tandem_api_errors_total fire on every start against such an instance.
describe('API error counts against a pre-2026 YouTrack', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start({ youtrack: { api: 'hub' } });
  });
  afterAll(() => w.close());

  const count = (name: string, status?: string) =>
    w.metrics
      .series(name)
      .filter(
        (v) => v.labels['system'] === 'youtrack' && (status === undefined || v.labels['status'] === status),
      )
      .reduce((n, v) => n + v.value, 0);

  it('an expected 404 of a probe is a call, not an error', async () => {
    const report = await w.sync();
    expect(report.status).toBe('ok');
    // The probe's 404 was made and counted as a call ...
    expect(count('tandem_api_calls_total', '404')).toBeGreaterThan(0);
    // ... but not as an error.
    expect(count('tandem_api_errors_total')).toBe(0);
  });
});
