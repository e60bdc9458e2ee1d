import { z } from 'zod';
import type { FlowName } from './types.ts';
import { SYSTEMS } from './systems.ts';

/**
 * The property mapping is configuration, not code: a user can add, drop or redirect a row. Each
 * row names one value that both systems hold; its `name` keys the stored base value and history.
 */

const membershipProps = ['organizations', 'groups'] as const;

const validateSchema = z
  .object({
    maxLength: z.number().int().positive().optional(),
    format: z.literal('email', { error: "must be 'email' (the only format checked)" }).optional(),
    required: z.boolean().optional(),
  })
  .strict();

export const mappingRowSchema = z
  .object({
    name: z.string().min(1, { error: 'must be a non-empty row name' }),
    youtrack: z.string().min(1, { error: 'must name a YouTrack property' }),
    customcrm: z.union([z.string().min(1), z.tuple([z.string().min(1), z.string().min(1)])], {
      error: "must be a Customcrm property name, or two names like ['FirstName', 'LastName']",
    }),
    transform: z
      .enum(['copy', 'splitName', 'negate', 'reference'], {
        error: 'must be one of copy, splitName, negate, reference',
      })
      .default('copy'),
    direction: z
      .enum(['both', 'to-customcrm', 'to-youtrack'], {
        error: 'must be one of both, to-customcrm, to-youtrack',
      })
      .default('both'),
    compare: z
      .enum(['exact', 'trim', 'email'], { error: 'must be one of exact, trim, email' })
      .default('exact'),
    validate: validateSchema.optional(),
    /** splitName only: which word(s) make the LastName ("Ingrid Marie Solberg": Marie Solberg / Solberg). */
    split: z.enum(['first-word', 'last-word'], { error: 'must be first-word or last-word' }).optional(),
  })
  .strict()
  .superRefine((row, ctx) => {
    const pair = Array.isArray(row.customcrm);
    if (row.split !== undefined && row.transform !== 'splitName')
      ctx.addIssue({ code: 'custom', path: ['split'], message: 'split applies to splitName rows only' });
    if (row.transform === 'splitName' && !pair)
      ctx.addIssue({
        code: 'custom',
        path: ['customcrm'],
        message: "a splitName row needs two Customcrm properties, e.g. ['FirstName', 'LastName']",
      });
    if (row.transform !== 'splitName' && pair)
      ctx.addIssue({
        code: 'custom',
        path: ['customcrm'],
        message: `a ${row.transform} row maps to one Customcrm property; only splitName takes two`,
      });
    if (row.transform === 'reference') {
      const parts = row.youtrack.split('|');
      const bad = parts.filter((p) => !(membershipProps as readonly string[]).includes(p));
      if (bad.length > 0 || new Set(parts).size !== parts.length)
        ctx.addIssue({
          code: 'custom',
          path: ['youtrack'],
          message:
            "a reference row reads memberships in precedence order: 'organizations|groups', " +
            "'groups|organizations', 'organizations' or 'groups'",
        });
    }
  });

export type MappingRow = z.output<typeof mappingRowSchema>;
export type MappingRowInput = z.input<typeof mappingRowSchema>;

const flowInputSchema = z
  .object({
    rows: z.array(mappingRowSchema),
    /** The row whose value links unlinked records (users: e-mail; organizations/groups: name). */
    matchBy: z.string().min(1).optional(),
  })
  .strict();

export interface FlowMapping {
  flow: FlowName;
  youtrackType: 'Organization' | 'Group' | 'User';
  customcrmType: 'Customer' | 'Contact';
  rows: MappingRow[];
  matchBy: string;
}

export interface MappingConfig {
  flows: Record<FlowName, FlowMapping>;
}

const nameRows: MappingRowInput[] = [
  {
    name: 'name',
    youtrack: 'name',
    customcrm: 'Name',
    transform: 'copy',
    compare: 'trim',
    validate: { required: true, maxLength: 200 },
  },
  {
    name: 'description',
    youtrack: 'description',
    customcrm: 'Description',
    transform: 'copy',
    compare: 'trim',
    validate: { maxLength: 4000 },
  },
];

const userRows: MappingRowInput[] = [
  {
    name: 'fullName',
    youtrack: 'fullName',
    customcrm: ['FirstName', 'LastName'],
    transform: 'splitName',
    compare: 'trim',
    validate: { maxLength: 100 },
  },
  {
    name: 'email',
    youtrack: 'email',
    customcrm: 'Email',
    transform: 'copy',
    compare: 'email',
    validate: { format: 'email', maxLength: 254 },
  },
  // A login is an identity: YouTrack permissions, VCS integrations and saved searches hang off
  // it, so a CRM edit must never rename a YouTrack account. Customcrm gets a read-only copy.
  { name: 'login', youtrack: 'login', customcrm: 'Username', transform: 'copy', direction: 'to-customcrm' },
  { name: 'banned', youtrack: 'banned', customcrm: 'Active', transform: 'negate' },
  { name: 'company', youtrack: 'organizations|groups', customcrm: 'CustomerId', transform: 'reference' },
];

const flowTypes: Record<FlowName, Pick<FlowMapping, 'youtrackType' | 'customcrmType' | 'matchBy'>> = {
  organizations: typesOf('organizations', 'name'),
  groups: typesOf('groups', 'name'),
  users: typesOf('users', 'email'),
};

function typesOf<F extends FlowName>(
  flow: F,
  matchBy: FlowMapping['matchBy'],
): Pick<FlowMapping, 'youtrackType' | 'customcrmType' | 'matchBy'> {
  return {
    youtrackType: SYSTEMS.youtrack.types[flow],
    customcrmType: SYSTEMS.customcrm.types[flow],
    matchBy,
  };
}

const mappingInputSchema = z
  .object({
    organizations: flowInputSchema.optional(),
    groups: flowInputSchema.optional(),
    users: flowInputSchema.optional(),
  })
  .strict();

const defaultInput = {
  organizations: { rows: nameRows },
  groups: { rows: nameRows },
  users: { rows: userRows },
};

export interface MappingIssue {
  /** e.g. `mapping.users.rows[2].transform` */
  path: string;
  message: string;
}

/** A mapping that cannot be used; `issues` lists every problem, not only the first. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  readonly code = 'INVALID_MAPPING';
  constructor(readonly issues: MappingIssue[]) {
    super(`The mapping is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    'mapping',
  );
}

function crossRowIssues(flow: FlowName, m: FlowMapping): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const seen = { name: new Set<string>(), youtrack: new Set<string>(), customcrm: new Set<string>() };
  m.rows.forEach((row, i) => {
    const at = (field: string) => `mapping.${flow}.rows[${i}].${field}`;
    if (seen.name.has(row.name))
      issues.push({ path: at('name'), message: `row name '${row.name}' is used twice` });
    seen.name.add(row.name);
    const targets = {
      youtrack: row.youtrack.split('|'),
      customcrm: Array.isArray(row.customcrm) ? row.customcrm : [row.customcrm],
    };
    for (const side of ['youtrack', 'customcrm'] as const)
      for (const prop of targets[side]) {
        if (seen[side].has(prop))
          issues.push({
            path: at(side),
            message: `property '${prop}' is mapped by two rows; they would overwrite each other on every cycle`,
          });
        seen[side].add(prop);
      }
  });
  if (!m.rows.some((r) => r.name === m.matchBy))
    issues.push({ path: `mapping.${flow}.matchBy`, message: `no row is named '${m.matchBy}'` });
  return issues;
}

/**
 * Validates a user's mapping (the `mapping:` section of the config). A flow that is left out keeps
 * its default rows; a flow that is given replaces them entirely. Throws MappingError.
 */
export function loadMapping(input: unknown): MappingConfig {
  const parsed = mappingInputSchema.safeParse(input ?? {});
  if (!parsed.success)
    throw new MappingError(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  const flows = {} as Record<FlowName, FlowMapping>;
  const issues: MappingIssue[] = [];
  for (const flow of ['organizations', 'groups', 'users'] as const) {
    const given = parsed.data[flow];
    const rows = given ? given.rows : z.array(mappingRowSchema).parse(defaultInput[flow].rows);
    flows[flow] = { flow, ...flowTypes[flow], rows, matchBy: given?.matchBy ?? flowTypes[flow].matchBy };
    issues.push(...crossRowIssues(flow, flows[flow]));
  }
  if (issues.length > 0) throw new MappingError(issues);
  return { flows };
}

/** The default mapping of the dataflow table. */
export const defaultMapping: MappingConfig = loadMapping({});

/** `sync.nameSplit`: the split of every splitName row that does not set its own. */
export function withNameSplit(m: MappingConfig, split: 'first-word' | 'last-word'): MappingConfig {
  const flows = Object.fromEntries(
    Object.entries(m.flows).map(([name, flow]) => [
      name,
      {
        ...flow,
        rows: flow.rows.map((r) =>
          r.transform === 'splitName' && r.split === undefined ? { ...r, split } : r,
        ),
      },
    ]),
  ) as MappingConfig['flows'];
  return { flows };
}
