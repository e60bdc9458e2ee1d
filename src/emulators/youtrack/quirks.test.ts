import { describe, expect, it } from 'vitest';
import { parseMembershipEvents, parseQuirks } from './quirks.ts';

describe('--quirks and --membership-events', () => {
  it('parses any subset of the quirks', () => {
    expect(parseQuirks(undefined)).toEqual({});
    expect(
      parseQuirks('successor-required=false, deleted-group=other,propagation-lag=60000,hub-orgs=gone'),
    ).toEqual({
      successorRequired: false,
      deletedGroupAnswersOther: true,
      propagationLagMs: 60_000,
      hubOrganizationsAfterUpgrade: 'gone',
    });
  });

  it('says what to write for a bad spec', () => {
    expect(() => parseQuirks('propagation-lag=soon')).toThrow(
      'propagation-lag takes milliseconds, got "soon"',
    );
    expect(() => parseQuirks('ghost=1')).toThrow('unknown quirk "ghost"');
    expect(() => parseMembershipEvents('group')).toThrow('container or member');
    expect(parseMembershipEvents('member')).toBe('member');
  });
});
