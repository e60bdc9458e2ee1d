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

  it('names every missing variable at once (finding 13)', () => {
    let message = '';
    try {
      parseConfig({ ...base(), server: { token: '${DASH}' } }, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('YT, CRM, DASH are not set');
    expect(message).toContain('connections.0.youtrack.token (YT)');
    expect(message).toContain('server.token (DASH)');
  });

  it('does not ask a command that serves nothing for the dashboard token (finding 13)', () => {
    const doc = { ...base(), server: { token: '${DASH}' } };
    const c = parseConfig(doc, env, 'tandem.yaml', { serving: false });
    expect(c.server.token).toBeUndefined();
    expect(() => parseConfig(doc, env, 'tandem.yaml')).toThrow(/DASH is not set/);
  });

  it('refuses a dashboard token shorter than 16 characters (finding 4)', () => {
    const issues = issuesOf(() => parseConfig({ ...base(), server: { token: '12345678' } }, env));
    expect(issues.map((i) => i.path)).toEqual(['server.token']);
    expect(issues[0]!.message).toMatch(/16/);
  });

  it('refuses unknown keys everywhere, naming the path and the nearest key (finding 11)', () => {
    const doc = {
      stores: 'sqlite:x.db',
      server: { prot: 9000 },
      connections: [
        {
          youtrack: { url: 'https://acme.youtrack.cloud', token: '${YT}', tokn: 'x' },
          customcrm: {
            url: 'https://crm.example.com/v1',
            token: '${CRM}',
            profile: { paths: { contact: '/x' } },
          },
          sync: { mergeOrganisationsByName: true, circuitBreaker: { maxDeleteShar: 0.1 } },
          schedule: { interval: 5 },
        },
      ],
    };
    const issues = issuesOf(() => parseConfig(doc, env));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['stores']).toContain('did you mean "store"');
    expect(byPath['server.prot']).toContain('did you mean "port"');
    expect(byPath['connections.0.youtrack.tokn']).toContain('did you mean "token"');
    expect(byPath['connections.0.sync.mergeOrganisationsByName']).toContain(
      'did you mean "mergeOrganizationsByName"',
    );
    expect(byPath['connections.0.sync.circuitBreaker.maxDeleteShar']).toContain('"maxDeleteShare"');
    expect(byPath['connections.0.schedule.interval']).toMatch(/unknown key "interval"/);
    expect(Object.keys(byPath).some((p) => p.startsWith('connections.0.customcrm.profile.paths.'))).toBe(
      true,
    );
  });
});
