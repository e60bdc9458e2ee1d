import type { FlowMapping, MappingConfig, MappingRow } from './mapping.ts';
import type { FlowPolicy, LinkMode } from './plan-types.ts';
import type { FlowName } from './types.ts';
import { labelOf } from './systems.ts';

/**
 * The dataflow document (reStructuredText) written from the mapping and link modes Tandem
 * actually uses, so the document cannot drift from the configuration. Pure: same input, same text.
 */
export interface DataflowDocInput {
  mapping: MappingConfig;
  policies: Record<FlowName, FlowPolicy>;
  /** ISO 8601; passed in so that the output is reproducible. */
  generatedAt: string;
  /** Where the configuration came from, e.g. the file name. */
  source?: string;
}

/** The dataflow's four YouTrack datatypes; Groups and Usergroups are one Hub group, so one flow. */
const SECTIONS: ReadonlyArray<{ datatype: string; singular: string; flow: FlowName }> = [
  { datatype: 'Groups', singular: 'group', flow: 'groups' },
  { datatype: 'Organizations', singular: 'organization', flow: 'organizations' },
  { datatype: 'Usergroups', singular: 'usergroup', flow: 'groups' },
  { datatype: 'Users', singular: 'user', flow: 'users' },
];

const DATA_TYPE: Record<MappingRow['transform'], string> = {
  copy: 'string',
  splitName: 'string',
  negate: 'boolean',
  reference: 'reference (Customer Id)',
};

/** Inline literal, or escaped text when the value cannot sit inside ``...``. */
export function rstLiteral(text: string): string {
  if (text !== '' && !text.includes('`') && text.trim() === text && !/\n/.test(text))
    return `\`\`${text}\`\``;
  return rstText(text);
}

export function rstText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\*`|_[\]<>]/g, (c) => `\\${c}`);
}

function title(text: string, char: string, overline = false): string {
  const line = char.repeat([...text].length);
  return overline ? `${line}\n${text}\n${line}\n` : `${text}\n${line}\n`;
}

function crmProps(row: MappingRow): string[] {
  return Array.isArray(row.customcrm) ? [...row.customcrm] : [row.customcrm];
}

function rowNote(row: MappingRow, m: FlowMapping): string | null {
  const yt = rstLiteral(row.youtrack);
  const crm = crmProps(row).map(rstLiteral).join(' and ');
  const notes: string[] = [];
  if (row.transform === 'splitName')
    notes.push(
      `${yt} is split into ${crm} (the first word, then the rest) and joined with one space on the way back`,
    );
  if (row.transform === 'negate') notes.push(`${yt} is written to ${crm} negated`);
  if (row.transform === 'reference')
    notes.push(
      `${crm} is the Customer linked to the ${m.youtrackType.toLowerCase()}'s ${row.youtrack
        .split('|')
        .map((p) => p.replace(/s$/, ''))
        .join(', else its ')}`,
    );
  if (row.direction === 'to-customcrm')
    notes.push(`${yt} is copied to Customcrm only; a Customcrm edit of ${crm} is not written back`);
  if (row.direction === 'to-youtrack')
    notes.push(`${crm} is copied to YouTrack only; a YouTrack edit of ${yt} is not written back`);
  if (row.compare === 'email') notes.push(`${yt} values are compared ignoring case and surrounding spaces`);
  if (row.compare === 'trim') notes.push(`${yt} values are compared ignoring surrounding spaces`);
  return notes.length > 0 ? notes.join('; ') + '.' : null;
}

function table(m: FlowMapping, datatype: string): string {
  const cell = (first: boolean, text: string) => `   ${first ? '*' : ' '} - ${text}`;
  const lines = [
    '.. list-table::',
    '   :header-rows: 1',
    '',
    cell(true, `YouTrack ${datatype} Property`),
    cell(false, `Customcrm ${m.customcrmType} Property`),
    cell(false, 'Customcrm Data Type'),
  ];
  for (const row of m.rows)
    lines.push(
      cell(true, rstLiteral(row.youtrack)),
      cell(false, crmProps(row).map(rstLiteral).join(' + ')),
      cell(false, DATA_TYPE[row.transform]),
    );
  return lines.join('\n') + '\n';
}

function mode(mode: LinkMode, from: string, to: string): string {
  switch (mode) {
    case 'create':
      return `every new ${from} creates a ${to}`;
    case 'merge-then-create':
      return `a new ${from} is linked to a matching ${to}, or else creates one`;
    case 'merge-only':
      return `a new ${from} is linked to a matching ${to}; none is created`;
    case 'none':
      return `a new ${from} creates no ${to}`;
  }
}

/** The row that links unlinked records, or undefined when this flow never matches (the planner's rule). */
function criterion(m: FlowMapping, policy: FlowPolicy): MappingRow | undefined {
  if (m.flow !== 'users' && !policy.mergeByName) return undefined;
  const row = m.rows.find((r) => r.name === m.matchBy);
  return row?.transform === 'reference' ? undefined : row;
}

/** Without a criterion nothing can match, so a merging mode behaves as its non-merging part. */
function effective(m: LinkMode, row: MappingRow | undefined): LinkMode {
  if (row) return m;
  return m === 'merge-then-create' ? 'create' : m === 'merge-only' ? 'none' : m;
}

function mergeCriteria(
  m: FlowMapping,
  row: MappingRow | undefined,
  modes: LinkMode[],
  singular: string,
): string {
  if (!row || !modes.some((x) => x === 'merge-only' || x === 'merge-then-create'))
    return `none: an unlinked ${singular} is never matched to an existing ${m.customcrmType}.`;
  return (
    `an unlinked ${singular} and ${m.customcrmType} are linked when ${rstLiteral(row.youtrack)} equals ` +
    `${crmProps(row).map(rstLiteral).join(' + ')} (ignoring case and surrounding spaces). Records in one ` +
    `system that share this value with each other are reported, never linked to the same counterpart.`
  );
}

function section(input: DataflowDocInput, s: (typeof SECTIONS)[number]): string {
  const m = input.mapping.flows[s.flow];
  const policy = input.policies[s.flow];
  const y = m.customcrmType;
  const row = criterion(m, policy);
  const toCrm = effective(policy.toCustomcrm, row);
  const toYt = effective(policy.toYouTrack, row);
  const parts = [
    title(`YouTrack ${s.datatype} to Customcrm ${y}`, '='),
    `Every YouTrack ${s.singular} is synchronized with a Customcrm ${y}. Once a link between them is ` +
      `established, it is kept in sync between the two systems, regardless of where it is edited.\n`,
  ];
  if (s.flow === 'groups')
    parts.push(
      'Groups and Usergroups are two views of one Hub group (joined by its ring id): one group is one ' +
        'Customer, never two, so the Groups and Usergroups sections describe the same records.\n',
    );
  parts.push(table(m, s.datatype));
  const notes = m.rows.map((r) => rowNote(r, m)).filter((n): n is string => n !== null);
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join('\n') + '\n');
  parts.push(
    [
      `:Merge criteria: ${mergeCriteria(m, row, [toCrm, toYt], s.singular)}`,
      `:Link mode: YouTrack to Customcrm: ${toCrm} (${mode(toCrm, s.singular, y)}). ` +
        `Customcrm to YouTrack: ${toYt} (${mode(toYt, y, s.singular)}).`,
      `:Conflicts: a property changed on both sides takes the newer change; on a tie, ${labelOf(policy.priority)} wins. ` +
        'The losing value is kept in the history.',
      `:Deletes: ${policy.deletes}.`,
    ].join('\n') + '\n',
  );
  return parts.join('\n');
}

export function renderDataflowDoc(input: DataflowDocInput): string {
  const intro = [
    title('YouTrack to Customcrm Dataflow', '=', true),
    `:Generated: ${rstText(input.generatedAt)}`,
    ...(input.source ? [`:Configuration: ${rstLiteral(input.source)}`] : []),
    '',
    title('Introduction', '='),
    'This document describes how Tandem synchronizes the JetBrains YouTrack user directory (Groups, ' +
      'Organizations, Usergroups and Users) with the Customcrm CRM (Customers and Contacts). It is ' +
      'generated by ``tandem docs`` from the configuration, so the property tables and link modes below ' +
      'are the ones Tandem applies.\n',
    'Once two records are linked, every mapped property is merged field by field against its last ' +
      'synchronized value: a property changed on one side only is copied to the other, unchanged ' +
      'properties are never rewritten, and an empty value never overwrites a filled one unless a person ' +
      'emptied it. Customcrm properties that are not mapped are never touched.\n',
  ];
  return [...intro, ...SECTIONS.map((s) => section(input, s))].join('\n');
}
