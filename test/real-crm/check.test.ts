import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile, runConformanceCheck } from '../../src/connectors/customcrm/index.ts';
import type { CheckResult } from '../../src/connectors/customcrm/index.ts';
import { startFeathers, startJsonServer, type RealCrm } from './servers.ts';

/** `tandem check customcrm` against real servers from npm, with their profiles and broken ones. */
describe('check customcrm against real REST servers', () => {
  let crm: RealCrm | undefined;
  afterEach(async () => {
    await crm?.close();
    crm = undefined;
  });

  const check = async (profile: Record<string, unknown>) => {
    const report = await runConformanceCheck({
      url: crm!.url,
      token: '',
      write: true,
      profile: loadProfile(profile),
      webhookWaitMs: 100,
    });
    const by = (c: string) => report.checks.find((x) => x.capability === c) as CheckResult;
    return { report, by };
  };

  it('passes json-server with its profile: problem+json and ETag are optional, the order is stable under an edit', async () => {
    crm = await startJsonServer();
    const { report, by } = await check(crm.profile);
    expect(report.ok, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(by('list + paging').status).toBe('passed');
    expect(by('stable order').evidence).toContain('with an edit of');
    expect(by('partial update').status).toBe('passed');
    expect(by('problem+json errors').required).toBe(false);
    // Express sends weak ETags but json-server ignores If-Match: found, and the advice given.
    expect(by('ETag/If-Match 412').status).toBe('wrong');
    expect(by('ETag/If-Match 412').evidence).toContain('does not enforce If-Match');
  });

  it('finds a page size the server ignores and a missing id', async () => {
    crm = await startJsonServer();
    const sizeIgnored = await check({
      ...crm.profile,
      paging: { style: 'page', pageParam: '_page', sizeParam: 'per_page' },
    });
    expect(sizeIgnored.report.ok).toBe(false);
    expect(sizeIgnored.by('list + paging').evidence).toMatch(/ignores the page size/);
    const noId = await check({ ...crm.profile, idProperty: 'Id' });
    expect(noId.by('list + paging').evidence).toMatch(/no id in "Id"; fix profile.idProperty/);
  });

  it('tells a PUT-only server to set updateMethod: PUT, and passes with it', async () => {
    crm = await startFeathers({ noPatch: true });
    const patching = await check({ ...crm.profile, updateMethod: 'PATCH' });
    expect(patching.by('partial update').status).toBe('wrong');
    expect(patching.by('partial update').evidence).toContain('set profile.updateMethod: PUT');
    const putting = await check(crm.profile);
    expect(putting.by('partial update').status, putting.by('partial update').evidence).toBe('passed');
    expect(putting.report.ok, JSON.stringify(putting.report.checks, null, 1)).toBe(true);
  });
});
