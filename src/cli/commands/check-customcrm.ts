import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { loadProfile, runConformanceCheck } from '../../connectors/customcrm/index.ts';
import type { ConformanceReport, CrmProfile } from '../../connectors/customcrm/index.ts';
import { runCommand, UsageError } from '../args.ts';

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
  write: { type: 'boolean', help: 'also create, edit and delete own marked records (cleaned up)' },
  json: { type: 'boolean', help: 'print the report as JSON' },
} as const;

export async function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem check customcrm --url URL --token T [--write] [--profile FILE.yaml] [--json]',
    specs,
    async (o) => {
      if (!o.url) throw new UsageError('--url is required');
      if (!o.token) throw new UsageError('--token is required (or CUSTOMCRM_TOKEN)');
      let profile: CrmProfile | undefined;
      if (o.profile) {
        try {
          profile = loadProfile(parseYaml(await readFile(o.profile, 'utf8')));
        } catch (err) {
          // A missing file, bad YAML and an invalid profile are all the caller's to fix.
          throw new UsageError(`--profile ${o.profile}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const report = await runConformanceCheck({
        url: o.url,
        token: o.token,
        write: o.write,
        ...(profile ? { profile } : {}),
        ...(o.username ? { username: o.username } : {}),
      });
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
      return report.ok ? 0 : 1;
    },
  );
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
      : 'A required capability is missing or wrong: Tandem cannot sync with this API yet.',
  );
  if (unchecked.length) lines.push(`Not checked without --write: ${unchecked.join(', ')}.`);
  return lines.join('\n') + '\n';
}
