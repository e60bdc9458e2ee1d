import type { MembershipEvents } from './model.ts';

/**
 * Behaviours of real instances that are reported or plausible but not documented, each behind
 * an option (docs/youtrack-emulator.md lists their sources).
 */
export interface Quirks {
  /** Deleting a user or group over the API needs `?successor=` (reported for 2026.2); default true. */
  successorRequired: boolean;
  /** Hub `GET /usergroups/{id of a deleted group}` answers 200 with another group (observed). */
  deletedGroupAnswersOther: boolean;
  /** A user created in Hub shows in YouTrack's `/api/users` this long after (ms). */
  propagationLagMs: number;
  /**
   * With `api: '2026'`: Hub's `/organizations` still lists the organizations made before the
   * upgrade (`kept`) or lists none (`gone`). Public material says only that they no longer
   * return YouTrack data.
   */
  hubOrganizationsAfterUpgrade: 'kept' | 'gone';
}

export const defaultQuirks: Quirks = {
  successorRequired: true,
  deletedGroupAnswersOther: false,
  propagationLagMs: 0,
  hubOrganizationsAfterUpgrade: 'kept',
};

const NAMES = ['successor-required', 'deleted-group', 'propagation-lag', 'hub-orgs'] as const;

/**
 * `--quirks` on the command line: `successor-required=false,deleted-group=other,
 * propagation-lag=60000,hub-orgs=gone` (any subset). A bad spec throws with what to write.
 */
export function parseQuirks(spec: string | undefined): Partial<Quirks> {
  const out: Partial<Quirks> = {};
  if (!spec?.trim()) return out;
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.split('=').map((x) => x.trim());
    const bad = (want: string) => new Error(`--quirks: ${name} takes ${want}, got "${value}"`);
    if (name === 'successor-required') {
      if (value !== 'true' && value !== 'false') throw bad('true or false');
      out.successorRequired = value === 'true';
    } else if (name === 'deleted-group') {
      if (value !== 'other' && value !== '404') throw bad('other or 404');
      out.deletedGroupAnswersOther = value === 'other';
    } else if (name === 'propagation-lag') {
      if (!/^\d+$/.test(value)) throw bad('milliseconds');
      out.propagationLagMs = Number(value);
    } else if (name === 'hub-orgs') {
      if (value !== 'kept' && value !== 'gone') throw bad('kept or gone');
      out.hubOrganizationsAfterUpgrade = value;
    } else throw new Error(`--quirks: unknown quirk "${name}" (known: ${NAMES.join(', ')})`);
  }
  return out;
}

export function parseMembershipEvents(value: string | undefined): MembershipEvents | undefined {
  if (value === undefined) return undefined;
  if (value !== 'container' && value !== 'member')
    throw new Error(`--membership-events is container or member, got "${value}"`);
  return value;
}
