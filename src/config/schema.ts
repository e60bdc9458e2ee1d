import { z } from 'zod';
import { youtrackConfigSchema } from '../connectors/youtrack/index.ts';
import { customcrmConfigSchema } from '../connectors/customcrm/index.ts';

/**
 * The configuration file, declared once: types, defaults and help text live here, and
 * `tandem init` writes a commented file from the same declarations.
 */
export const syncPolicySchema = z
  .object({
    priority: z
      .enum(['youtrack', 'customcrm'])
      .default('youtrack')
      .describe('which side wins a conflict when both changes are equally new'),
    createUsersInYouTrack: z
      .boolean()
      .default(false)
      .describe('a new Contact creates a YouTrack user (accounts cost licence seats)'),
    mergeOrganizationsByName: z
      .boolean()
      .default(true)
      .describe(
        'link Organizations to existing Customers with the same normalized name (a name with several candidates goes to review)',
      ),
    mergeGroupsByName: z
      .boolean()
      .default(true)
      .describe(
        'link groups to existing Customers with the same normalized name (a name with several candidates goes to review)',
      ),
    protectedAccounts: z
      .object({
        logins: z.array(z.string().min(1)).default([]),
        groups: z.array(z.string().min(1)).default([]),
      })
      .prefault({})
      .describe(
        "YouTrack accounts a CRM edit never bans, renames or re-addresses (besides the token's own user and Hub's System Admins): logins, and members of these groups by name; such a change waits in tandem review",
      ),
    nameSplit: z
      .enum(['first-word', 'last-word'])
      .default('first-word')
      .describe(
        'how a full name splits into FirstName/LastName: the first word, or the last word as LastName ("Ingrid Marie / Solberg"); a mapping row may set its own split',
      ),
    deletes: z
      .enum(['keep', 'deactivate', 'propagate'])
      .default('keep')
      .describe('what a delete on one side does to the counterpart'),
    approveDeletes: z
      .boolean()
      .default(true)
      .describe(
        'with deletes: propagate, each delete waits in tandem review for approve/reject; false deletes at once',
      ),
    includeGroups: z
      .object({
        allUsers: z.boolean().default(false),
        registeredUsers: z.boolean().default(false),
        projectTeams: z.boolean().default(false),
      })
      .prefault({})
      .describe('built-in and project-team groups left out by default'),
    circuitBreaker: z
      .object({
        maxDeleteShare: z.number().min(0).max(1).default(0.2),
        maxChangeShare: z.number().min(0).max(1).default(0.5),
        minRecords: z.number().int().min(0).default(20),
      })
      .prefault({})
      .describe(
        'a cycle that would delete or change more than this share of linked records stops before writing',
      ),
    stream: z
      .object({
        usersBatch: z.number().int().min(1).default(2000),
        heldActions: z.number().int().min(0).default(10_000),
      })
      .prefault({})
      .describe(
        'a full cycle reads the YouTrack users in batches of usersBatch; a first-pass plan of at most heldActions is kept instead of read again',
      ),
  })
  .prefault({});

export const scheduleSchema = z
  .object({
    intervalSeconds: z.number().positive().default(2).describe('how often `tandem run` polls for changes'),
    reconcileEverySeconds: z
      .number()
      .positive()
      .default(3600)
      .describe('how often `tandem run` does a full read of both sides'),
  })
  .prefault({});

export const connectionSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes')
    .default('main'),
  youtrack: youtrackConfigSchema,
  customcrm: customcrmConfigSchema,
  sync: syncPolicySchema,
  schedule: scheduleSchema,
  mapping: z.unknown().optional().describe('property mapping overrides; see docs/how-sync-decides.md'),
});

export const configSchema = z.object({
  store: z.string().min(1).default('sqlite:./tandem.db').describe('sqlite:FILE or postgres://...'),
  server: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      token: z.string().min(16, 'use at least 16 characters (e.g. `openssl rand -base64 24`)').optional(),
      publicUrl: z.string().url().optional().describe('address Customcrm uses to reach the webhook receiver'),
    })
    .prefault({}),
  connections: z.array(connectionSchema).min(1, 'add at least one connection'),
});

export type TandemConfig = z.infer<typeof configSchema>;
export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type SyncPolicyConfig = z.infer<typeof syncPolicySchema>;
