import type { CycleReport } from '../engine/cycle.ts';

const FLOW_TITLE = {
  organizations: 'Organizations ⇄ Customers',
  groups: 'Groups/Usergroups ⇄ Customers',
  users: 'Users ⇄ Contacts',
};

/** A cycle in plain words, for people. */
export function summarize(r: CycleReport): string {
  const lines = [
    `${r.connection}: ${r.kind} cycle ${r.status}${r.message ? ` (${r.message})` : ''}, ${r.writes} write${r.writes === 1 ? '' : 's'}`,
  ];
  for (const [flow, s] of Object.entries(r.stats) as Array<
    [keyof typeof FLOW_TITLE, CycleReport['stats']['users']]
  >) {
    const y = s.youtrack;
    const c = s.customcrm;
    const parts = [
      `read ${y.read} in YouTrack, ${c.read} in Customcrm`,
      c.created ? `created ${c.created} in Customcrm` : '',
      y.created ? `created ${y.created} in YouTrack` : '',
      c.updated ? `updated ${c.updated} in Customcrm` : '',
      y.updated ? `updated ${y.updated} in YouTrack` : '',
      c.deleted + y.deleted ? `deleted ${c.deleted + y.deleted}` : '',
      c.conflicts + y.conflicts ? `${c.conflicts + y.conflicts} conflict(s)` : '',
      c.errors + y.errors ? `${c.errors + y.errors} error(s)` : '',
    ].filter(Boolean);
    lines.push(`  ${FLOW_TITLE[flow].padEnd(31)} ${parts.join(', ')}`);
  }
  return lines.join('\n');
}
