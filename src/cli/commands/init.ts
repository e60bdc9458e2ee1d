import { existsSync, writeFileSync } from 'node:fs';
import { runCommand } from '../args.ts';
import { EXIT } from '../exit-codes.ts';

const options = {
  config: { type: 'string', help: 'file to write', default: 'tandem.yaml', short: 'c', arg: 'FILE' },
  force: { type: 'boolean', help: 'overwrite an existing file' },
} as const;

export const TEMPLATE = `# Tandem configuration. Secrets are never written here: \${NAME} is read from the environment.
# Reference: docs/configuration.md. Check it with \`npx tandem plan --config tandem.yaml\` (writes nothing).

# Where Tandem remembers links, last synchronized values, history and conflicts.
# sqlite:FILE for one machine, postgres://user@host/db for several workers.
store: sqlite:./tandem.db

# The dashboard, /metrics and the Customcrm webhook receiver (\`tandem run\`).
server:
  host: 127.0.0.1          # keep it on loopback unless a proxy with TLS is in front
  port: 8080
  token: \${TANDEM_DASHBOARD_TOKEN}

connections:
  - name: main
    youtrack:
      url: https://example.youtrack.cloud   # YouTrack base URL (Hub is reached under /hub)
      token: \${YOUTRACK_TOKEN}              # permanent token with YouTrack and Hub scope
      apiMode: auto                         # auto | hub (before 2026.1) | 2026 (2026.1+ writable /api)
    customcrm:
      url: https://crm.example.com/v1       # root of the Customcrm API (docs/customcrm-contract.md)
      token: \${CUSTOMCRM_TOKEN}
      # webhookSecret: \${CUSTOMCRM_WEBHOOK_SECRET}  # turn webhooks on (else Customcrm is polled)
      # profile: ...                        # only when your CRM differs from the contract: docs/customcrm-connector.md
    sync:
      priority: youtrack                    # wins a conflict when both changes are equally new
      createUsersInYouTrack: false          # a new Contact creates a YouTrack user (costs a licence seat)
      mergeOrganizationsByName: true        # link Organizations to existing Customers by name
      mergeGroupsByName: true               # link groups to existing Customers by name
                                            # (a name with several candidates waits in tandem review)
      protectedAccounts:                    # never banned/renamed/re-addressed by a CRM edit (besides the token's user and administrators)
        logins: []
        groups: []                          # e.g. [Administrators]
      deletes: keep                         # keep | deactivate | propagate
      approveDeletes: true                  # propagate: each delete waits in tandem review (approve/reject)
      circuitBreaker:
        maxDeleteShare: 0.2                 # stop a cycle that would delete more than 20 % of a flow's links
        maxChangeShare: 0.5                 # ... or change more than 50 % of them
        minRecords: 20                      # flows with fewer links are not guarded
    schedule:
      intervalSeconds: 2                    # \`tandem run\` looks for changes this often
      reconcileEverySeconds: 3600           # and reads everything this often
`;

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem init [--config FILE] [--force]', options, async (opts) => {
    const file = opts.config ?? 'tandem.yaml';
    if (existsSync(file) && !opts.force) {
      process.stderr.write(`tandem: ${file} exists; pass --force to overwrite it.\n`);
      return EXIT.USAGE;
    }
    writeFileSync(file, TEMPLATE, { mode: 0o600 });
    process.stdout.write(
      `Wrote ${file}. Set YOUTRACK_TOKEN, CUSTOMCRM_TOKEN and TANDEM_DASHBOARD_TOKEN, edit the URLs, then run \`npx tandem plan --config ${file}\`.\n`,
    );
    return EXIT.OK;
  });
}
