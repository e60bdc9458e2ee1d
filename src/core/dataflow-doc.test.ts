import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDataflowDoc, rstLiteral } from './dataflow-doc.ts';
import { defaultMapping, loadMapping } from './mapping.ts';
import { defaultPolicy } from './plan-types.ts';
import type { FlowName } from './types.ts';

const policies = {
  organizations: defaultPolicy('organizations'),
  groups: defaultPolicy('groups'),
  users: defaultPolicy('users'),
} satisfies Record<FlowName, unknown>;
const at = '2024-06-01T12:00:00.000Z';

/** Renders with docutils and fails on any warning or error it reports. */
function docutils(rst: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rst-'));
  try {
    const file = join(dir, 'dataflow.rst');
    writeFileSync(file, rst);
    return execFileSync('python3', ['-m', 'docutils', '--halt=warning', '--report=info', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('dataflow document', () => {
  const doc = renderDataflowDoc({
    mapping: defaultMapping,
    policies,
    generatedAt: at,
    source: 'tandem.yaml',
  });

  it('has the title, the timestamp and one section per YouTrack datatype', () => {
    expect(doc.startsWith('==============================\nYouTrack to Customcrm Dataflow\n')).toBe(true);
    expect(doc).toContain(`:Generated: ${at}`);
    const sections = [...doc.matchAll(/^(YouTrack \w+ to Customcrm \w+)\n=+$/gm)].map((m) => m[1]);
    expect(sections).toEqual([
      'YouTrack Groups to Customcrm Customer',
      'YouTrack Organizations to Customcrm Customer',
      'YouTrack Usergroups to Customcrm Customer',
      'YouTrack Users to Customcrm Contact',
    ]);
    expect(doc).toContain('Every YouTrack user is synchronized with a Customcrm Contact. Once a link');
  });

  it('fills each table from the mapping', () => {
    expect(doc).toContain(
      '   * - YouTrack Users Property\n     - Customcrm Contact Property\n     - Customcrm Data Type\n',
    );
    expect(doc).toContain('   * - ``fullName``\n     - ``FirstName`` + ``LastName``\n     - string\n');
    expect(doc).toContain('   * - ``banned``\n     - ``Active``\n     - boolean\n');
    expect(doc).toContain(
      '   * - ``organizations|groups``\n     - ``CustomerId``\n     - reference (Customer Id)\n',
    );
    expect(doc.match(/:header-rows: 1/g)).toHaveLength(4);
  });

  it('states the merge criteria and link modes', () => {
    expect(doc).toMatch(
      /:Merge criteria: an unlinked user and Contact are linked when ``email`` equals ``Email``/,
    );
    expect(doc).toContain(':Link mode: YouTrack to Customcrm: merge-then-create');
    expect(doc).toContain('Customcrm to YouTrack: none (a new Contact creates no user)');
  });

  it('describes a merging mode without a criterion as what it does: create', () => {
    const groups = doc.slice(doc.indexOf('YouTrack Groups to'), doc.indexOf('YouTrack Organizations to'));
    expect(groups).toContain(':Merge criteria: none: an unlinked group is never matched');
    expect(groups).toContain(
      ':Link mode: YouTrack to Customcrm: create (every new group creates a Customer)',
    );
    const byName = renderDataflowDoc({
      mapping: defaultMapping,
      policies: { ...policies, groups: { ...policies.groups, mergeByName: true } },
      generatedAt: at,
    });
    expect(byName).toContain('an unlinked group and Customer are linked when ``name`` equals ``Name``');
  });

  it('changes when the mapping changes', () => {
    const mapping = loadMapping({
      organizations: {
        rows: [
          { name: 'name', youtrack: 'name', customcrm: 'Name', transform: 'copy' },
          {
            name: 'site',
            youtrack: 'homepage',
            customcrm: 'Website',
            transform: 'copy',
            direction: 'to-customcrm',
          },
        ],
      },
    });
    const changed = renderDataflowDoc({ mapping, policies, generatedAt: at });
    expect(changed).not.toBe(doc);
    expect(changed).toContain('   * - ``homepage``\n     - ``Website``\n     - string\n');
    expect(changed).toContain('``homepage`` is copied to Customcrm only');
  });

  it('escapes property names that are not plain words', () => {
    expect(rstLiteral('a`b*c')).toBe('a\\`b\\*c');
    expect(rstLiteral('Email')).toBe('``Email``');
  });

  it('renders with docutils without a warning, also with awkward property names', () => {
    expect(() => docutils('Title text\n=====\n')).toThrow(/Title underline too short/);
    expect(docutils(doc)).toContain('<h1 class="title">YouTrack to Customcrm Dataflow</h1>');
    const odd = loadMapping({
      users: {
        matchBy: 'mail',
        rows: [
          { name: 'mail', youtrack: 'e`mail_', customcrm: '*Mail|', transform: 'copy', compare: 'email' },
        ],
      },
    });
    expect(() => docutils(renderDataflowDoc({ mapping: odd, policies, generatedAt: at }))).not.toThrow();
  });
});
