import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCustomcrmServer } from '../../emulators/customcrm/index.ts';
import type { CustomcrmServer } from '../../emulators/customcrm/index.ts';
import { runConformanceCheck } from './conformance.ts';
import type { ConformanceReport } from './conformance.ts';
import { offsetProfile } from '../../../test/support/customcrm/profiles.ts';
import { startAdapterServer } from '../../../test/support/customcrm/adapter-server.ts';

const statusOf = (r: ConformanceReport) => Object.fromEntries(r.checks.map((c) => [c.capability, c.status]));

describe('conformance check', () => {
  let full: CustomcrmServer;
  let bare: CustomcrmServer;
  beforeAll(async () => {
    full = await startCustomcrmServer({ seed: 'demo', webhookRetry: { attempts: 2, baseDelayMs: 10 } });
    bare = await startCustomcrmServer({
      seed: 'demo',
      disable: ['etag', 'idempotency', 'externalRefs', 'webhooks', 'modifiedSince'],
    });
  });
  afterAll(async () => {
    await full.close();
    await bare.close();
  });

  it('passes every check on the reference server, and cleans up after --write', async () => {
    const before = full.store.count('customers');
    const report = await runConformanceCheck({ url: full.url + '/v1', token: 'crm-demo-token', write: true });
    expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(full.store.count('customers')).toBe(before);
    expect(full.store.listWebhooks()).toHaveLength(0);
    expect(JSON.stringify(report)).not.toContain('crm-demo-token');
  });

  it('is read-only without --write and still passes what it can check', async () => {
    const before = full.store.count('customers');
    const report = await runConformanceCheck({
      url: full.url + '/v1',
      token: 'crm-demo-token',
      write: false,
    });
    expect(report.ok).toBe(true);
    expect(statusOf(report)).toMatchObject({
      auth: 'passed',
      'list + paging': 'passed',
      create: 'not-checked',
    });
    expect(full.store.count('customers')).toBe(before);
  });

  it('reports precisely what a server without the optional capabilities lacks', async () => {
    const report = await runConformanceCheck({ url: bare.url + '/v1', token: 'crm-demo-token', write: true });
    expect(statusOf(report)).toMatchObject({
      auth: 'passed',
      'list + paging': 'passed',
      'read one': 'passed',
      create: 'passed',
      'partial update': 'passed',
      'problem+json errors': 'passed',
      modifiedSince: 'missing',
      'filter by externalRef': 'missing',
      'ETag/If-Match 412': 'missing',
      'idempotency replay': 'missing',
      webhooks: 'missing',
    });
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.capability === 'ETag/If-Match 412')?.fallback).toMatch(/read again/);
  });

  it('fails on a wrong token with exit-worthy evidence', async () => {
    const report = await runConformanceCheck({
      url: full.url + '/v1',
      token: 'wrong-token-9999',
      write: false,
    });
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ capability: 'auth', status: 'wrong' });
    expect(report.checks[0]?.evidence).toContain('HTTP 401');
    expect(JSON.stringify(report)).not.toContain('wrong-token-9999');
  });

  it('checks a differently shaped API through its profile', async () => {
    const adapter = await startAdapterServer({
      upstream: full.url + '/v1',
      upstreamToken: 'crm-demo-token',
      shape: 'offset',
      key: 'adapter-key-1234',
      username: 'sync-user',
    });
    try {
      const report = await runConformanceCheck({
        url: adapter.url,
        token: 'adapter-key-1234',
        username: 'sync-user',
        profile: offsetProfile,
        write: true,
      });
      expect(statusOf(report)).toMatchObject({
        'list + paging': 'passed',
        'stable order': 'passed',
        create: 'passed',
        'partial update': 'passed',
        'filter by externalRef': 'passed',
        'ETag/If-Match 412': 'passed',
        'idempotency replay': 'missing',
        modifiedSince: 'missing',
      });
    } finally {
      await adapter.close();
    }
  });
});
