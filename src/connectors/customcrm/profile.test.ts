import { describe, expect, it } from 'vitest';
import { customcrmConfigSchema } from './config.ts';
import { contractProfile, loadProfile, ProfileError } from './profile.ts';
import { snakeProfile } from '../../../test/support/customcrm/profiles.ts';

describe('profile', () => {
  it('an empty profile is the contract', () => {
    expect(loadProfile({})).toEqual(contractProfile);
    expect(contractProfile.modifiedSince).toEqual({
      param: 'modifiedSince',
      format: 'iso',
      includeDeletedParam: 'includeDeleted',
    });
  });

  it('names every offending path', () => {
    const err = (() => {
      try {
        loadProfile({
          paths: { contacts: 7 },
          paging: { style: 'pages' },
          timestamps: 'unix',
          auth: { type: 'header' },
          extra: 1,
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProfileError);
    const paths = (err as ProfileError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['(profile)', 'auth.name', 'paging.style', 'paths.contacts', 'timestamps']);
    expect((err as ProfileError).message).toContain('profile.paging.style');
    expect((err as ProfileError).code).toBe('INVALID_PROFILE');
  });

  it('false switches a capability off, and a parsed profile parses to itself', () => {
    const p = loadProfile({ modifiedSince: false, externalRefs: false, paging: { style: 'offset' } });
    expect(p.modifiedSince).toBe(false);
    expect(p.externalRefs).toBe(false);
    expect(p.paging).toEqual({
      style: 'offset',
      offsetParam: 'offset',
      limitParam: 'limit',
      totalCountHeader: false,
      totalPath: false,
    });
    expect(loadProfile(p)).toEqual(p);
    expect(loadProfile(snakeProfile)).toEqual(snakeProfile);
  });

  it('the config schema fills defaults and keeps the profile', () => {
    const c = customcrmConfigSchema.parse({
      url: 'http://127.0.0.1:9222/v1',
      token: 't0ken',
      profile: snakeProfile,
    });
    expect(c).toMatchObject({
      pageSize: 100,
      timeoutMs: 30_000,
      rateLimit: { ratePerSecond: 50, burst: 20 },
    });
    expect(c.profile).toEqual(snakeProfile);
    expect(customcrmConfigSchema.safeParse({ url: 'not a url' }).success).toBe(false);
  });
});

describe('profile: shapes of real APIs (issue 13)', () => {
  it('takes per-type property maps, typed ids, a query address, fixed list parameters and auth none', () => {
    const p = loadProfile({
      properties: { Customer: { Name: 'name' }, Contact: { Email: 'email', CustomerId: 'company_id' } },
      idProperty: 'id',
      idType: 'integer',
      recordPath: '{path}?id=eq.{id}',
      updateMethod: 'PUT',
      listQuery: { _sort: 'id' },
      auth: { type: 'none' },
      paging: { style: 'link', limitParam: '_limit' },
      referenceProperty: 'youtrack_id',
      naturalKey: { Contact: 'Username' },
    });
    expect(p.properties.Contact.CustomerId).toBe('company_id');
    expect(p.properties.Customer).toEqual({ Name: 'name' });
    expect(p.listQuery).toEqual({ Customer: { _sort: 'id' }, Contact: { _sort: 'id' } });
    expect(p.naturalKey).toEqual({ Customer: 'Name', Contact: 'Username' });
    expect(loadProfile(p)).toEqual(p);
  });

  it('names the path of every bad entry', () => {
    const bad = () =>
      loadProfile({
        recordPath: '{path}/x',
        updateMethod: 'DELETE',
        idType: 'uuid',
        auth: { type: 'oauth' },
      });
    expect(bad).toThrow(ProfileError);
    const issues = (() => {
      try {
        bad();
      } catch (e) {
        return (e as ProfileError).issues.map((i) => i.path);
      }
      return [];
    })();
    expect(issues).toEqual(expect.arrayContaining(['recordPath', 'updateMethod', 'idType', 'auth.type']));
  });
});
