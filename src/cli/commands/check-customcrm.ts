import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { loadProfile, runConformanceCheck } from '../../connectors/customcrm/index.ts';
import type { ConformanceReport, CrmProfile } from '../../connectors/customcrm/index.ts';
import { runCommand, UsageError } from '../args.ts';
import { loadConfigFile } from '../../config/load.ts';
import type { TandemConfig } from '../../config/schema.ts';

const specs = {
  url: {
    type: 'string',
    help: 'API root, e.g. https://crm.example.com/v1',
    env: 'CUSTOMCRM_URL',
    arg: 'URL',
  },
  token: {
    type: 'string',
    help: 'bearer token, API key or password (per the profile)',
    env: 'CUSTOMCRM_TOKEN',
    arg: 'T',
  },
  username: { type: 'string', help: 'user name for basic auth', env: 'CUSTOMCRM_USERNAME', arg: 'NAME' },
  profile: { type: 'string', help: 'profile YAML describing a differently shaped API', arg: 'FILE.yaml' },
  config: {
    type: 'string',
    help: 'take URL, credentials and profile from this configuration file',
    arg: 'FILE',
  },
  connection: {
    type: 'string',
    help: 'the connection of --config to check (default: the first)',
    arg: 'NAME',
  },
  write: { type: 'boolean', help: 'also create, edit and delete own marked records (cleaned up)' },
  json: { type: 'boolean', help: 'print the report as JSON' },
} as const;

export async function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem check customcrm (--url URL --token T [--profile FILE.yaml] | --config FILE [--connection NAME]) [--write] [--json]',
    specs,
    async (o) => {
      if (o.config) return checkConnection(o.config, o.connection, o.write, o.json);
      if (!o.url) throw new UsageError('--url is required (or --config FILE)');
      let profile: CrmProfile | undefined;
      if (o.profile) {
        try {
          profile = loadProfile(parseYaml(await readFile(o.profile, 'utf8')));
        } catch (err) {
          // A missing file, bad YAML and an invalid profile are all the caller's to fix.
          throw new UsageError(`--profile ${o.profile}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (!o.token && profile?.auth.type !== 'none')
        throw new UsageError('--token is required (or CUSTOMCRM_TOKEN), unless the profile says auth: none');
      const report = await runConformanceCheck({
        url: o.url,
        token: o.token ?? '',
        write: o.write,
        ...(profile ? { profile } : {}),
        ...(o.username ? { username: o.username } : {}),
      });
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
      return report.ok ? 0 : 1;
    },
  );
}

/** Checks a configured connection with its own URL, credentials and profile. */
async function checkConnection(
  file: string,
  name: string | undefined,
  write: boolean | undefined,
  json: boolean | undefined,
): Promise<number> {
  let config: TandemConfig;
  try {
    config = loadConfigFile(file);
  } catch (err) {
    throw new UsageError(`--config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const conn = name ? config.connections.find((c) => c.name === name) : config.connections[0];
  if (!conn)
    throw new UsageError(
      `--connection ${name}: ${file} has no such connection (it has ${config.connections.map((c) => c.name).join(', ')}).`,
    );
  const crm = conn.customcrm;
  const report = await runConformanceCheck({
    url: crm.url,
    token: crm.token ?? '',
    write: write ?? false,
    profile: crm.profile,
    ...(crm.username ? { username: crm.username } : {}),
  });
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.ok ? 0 : 1;
}

export function formatReport(r: ConformanceReport): string {
  const lines = [
    `Customcrm conformance of ${r.url} (profile ${r.profile}, ${r.write ? 'write' : 'read-only'})`,
    '',
  ];
  const width = Math.max(...r.checks.map((c) => c.capability.length));
  for (const c of r.checks) {
    lines.push(
      `  ${c.status.padEnd(11)} ${c.capability.padEnd(width)}${c.required ? ' (required)' : '           '}  ${c.evidence}`,
    );
    if (c.fallback)
      lines.push(`  ${''.padEnd(11)} ${''.padEnd(width)}             Tandem falls back: ${c.fallback}`);
  }
  const unchecked = r.checks.filter((c) => c.required && c.status === 'not-checked').map((c) => c.capability);
  lines.push('');
  lines.push(
    r.ok
      ? 'Every required capability passed.'
      : 'A required capability is missing or wrong: fix the API or the profile entry named above before syncing.',
  );
  if (unchecked.length) lines.push(`Not checked without --write: ${unchecked.join(', ')}.`);
  return lines.join('\n') + '\n';
}
