import { describe, expect, it } from 'vitest';
import { youtrackConfigSchema } from './config.ts';

describe('youtrackConfigSchema', () => {
  it('fills the defaults and drops a trailing slash', () => {
    expect(youtrackConfigSchema.parse({ url: 'https://acme.youtrack.cloud/', token: 'perm:x' })).toEqual({
      url: 'https://acme.youtrack.cloud',
      token: 'perm:x',
      apiMode: 'auto',
      pageSize: 100,
      timeoutMs: 30_000,
      rateLimit: { ratePerSecond: 20, burst: 20 },
    });
  });

  it('keeps optional settings only when given', () => {
    const c = youtrackConfigSchema.parse({
      url: 'http://127.0.0.1:8111',
      token: 't',
      apiMode: '2026',
      retry: { baseDelayMs: 1 },
      reconcileEverySeconds: 600,
    });
    expect(c.retry).toEqual({ baseDelayMs: 1 });
    expect(c.reconcileEverySeconds).toBe(600);
    expect(c.apiMode).toBe('2026');
  });

  it('points at the offending path with the fix', () => {
    const r = youtrackConfigSchema.safeParse({
      url: 'acme.youtrack.cloud',
      token: '',
      pageSize: 0,
      apiMode: 'v3',
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'token', 'pageSize', 'apiMode']));
    const url = r.error?.issues.find((i) => i.path[0] === 'url');
    expect(url?.message).toContain('https://NAME.youtrack.cloud');
  });

  it('rejects unknown keys (a typo must not pass silently)', () => {
    expect(youtrackConfigSchema.safeParse({ url: 'http://x', token: 't', pagesize: 5 }).success).toBe(false);
  });
});
