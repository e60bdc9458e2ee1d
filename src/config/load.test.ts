import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.ts';

const base = (extra: Record<string, unknown> = {}) => ({
  connections: [
    {
      youtrack: { url: 'https://acme.youtrack.cloud', token: '${YT}' },
      customcrm: { url: 'https://crm.example.com/v1', token: '${CRM}' },
      ...extra,
    },
  ],
});
const env = { YT: 'perm:abc-123', CRM: 'crm-token-xyz' };

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills every default and reads secrets from the environment', () => {
    const c = parseConfig(base(), env);
    expect(c.store).toBe('sqlite:./tandem.db');
    expect(c.connections[0]!.name).toBe('main');
    expect(c.connections[0]!.youtrack.token).toBe('perm:abc-123');
    expect(c.connections[0]!.sync).toMatchObject({
      priority: 'youtrack',
      deletes: 'keep',
      createUsersInYouTrack: false,
    });
    expect(c.connections[0]!.schedule).toEqual({ intervalSeconds: 2, reconcileEverySeconds: 3600 });
  });

  it('names the path and the variable when a secret is missing', () => {
    const issues = issuesOf(() => parseConfig(base(), { YT: 'x' }));
    expect(issues).toEqual([
      { path: 'connections.0.customcrm.token', message: 'environment variable CRM is not set' },
    ]);
  });

  it('names the path of a wrong value', () => {
    const issues = issuesOf(() => parseConfig(base({ sync: { deletes: 'sometimes' } }), env));
    expect(issues.map((i) => i.path)).toEqual(['connections.0.sync.deletes']);
  });

  it('refuses two connections with one name', () => {
    const doc = base();
    doc.connections.push({ ...doc.connections[0]! });
    expect(() => parseConfig(doc, env)).toThrow(/used twice/);
  });

  it('validates a mapping override and points into it', () => {
    const issues = issuesOf(() =>
      parseConfig(
        base({
          mapping: {
            users: { rows: [{ name: 'x', youtrack: 'login', customcrm: 'Username', transform: 'rot13' }] },
          },
        }),
        env,
      ),
    );
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path).toMatch(/^connections\.0\.mapping/);
    expect(issues[0]!.path).toMatch(/transform/);
  });
});
