import { describe, expect, it } from 'vitest';
import { matchRecords, normalizeKey, originRef } from './linking.ts';
import { defaultMapping } from './mapping.ts';
import { contact, crmRecord, ytRecord, ytUser } from '../../test/support/core/world.ts';

describe('matchRecords', () => {
  it('links users and contacts by trimmed, case-insensitive e-mail', () => {
    const r = matchRecords(
      defaultMapping.flows.users,
      [ytUser('u1', { email: ' Ada@Example.com ' }), ytUser('u2', { email: null })],
      [contact('c1', { Email: 'ada@example.COM' }), contact('c2', { Email: '' })],
    );
    expect(r).toEqual({ pairs: [{ ytId: 'u1', crmId: 'c1' }], duplicates: [] });
  });

  it('reports records of one system that share an e-mail and links none of them', () => {
    const r = matchRecords(
      defaultMapping.flows.users,
      [
        ytUser('u1', { email: 'x@e.io' }),
        ytUser('u2', { email: 'X@e.io' }),
        ytUser('u3', { email: 'y@e.io' }),
      ],
      [
        contact('c1', { Email: 'x@e.io' }),
        contact('c3', { Email: 'y@e.io' }),
        contact('c4', { Email: 'Y@e.io ' }),
      ],
    );
    expect(r.pairs).toEqual([]);
    expect(r.duplicates).toEqual([
      { code: 'DUPLICATE_EMAIL', system: 'youtrack', ids: ['u1', 'u2'], value: 'x@e.io' },
      { code: 'DUPLICATE_EMAIL', system: 'customcrm', ids: ['c3', 'c4'], value: 'y@e.io' },
    ]);
  });

  it('matches organizations and customers by normalized name', () => {
    expect(normalizeKey('  Café\u0020\u0020Société ')).toBe(normalizeKey('cafe\u0301 société'));
    const r = matchRecords(
      defaultMapping.flows.organizations,
      [ytRecord('Organization', 'o1', { name: 'Café  Société SARL', description: '' })],
      [crmRecord('Customer', 'c1', { Name: 'cafe\u0301 société sarl' })],
    );
    expect(r.pairs).toEqual([{ ytId: 'o1', crmId: 'c1' }]);
  });
});

describe('originRef', () => {
  const users = defaultMapping.flows.users;
  it('takes the ExternalRef of the flow type first, else the reference property', () => {
    const both = {
      ...contact('c1', {}),
      externalRefs: [{ System: 'YouTrack', Type: 'User', Id: 'u-ref' }],
      originId: 'u-prop',
    };
    expect(originRef(users, both)).toBe('u-ref');
    expect(originRef(users, { ...contact('c2', {}), originId: 'u-prop' })).toBe('u-prop');
    expect(originRef(users, contact('c3', {}))).toBeUndefined();
  });
});
