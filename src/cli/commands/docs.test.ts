import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEMPLATE } from './init.ts';
import { run } from './docs.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tandem docs', () => {
  it('documents the configuration without its secrets being set, with the mapping it holds', async () => {
    const config = join(dir, 'tandem.yaml');
    const mapping = `    mapping:
      organizations:
        rows:
          - { name: name, youtrack: name, customcrm: Name, transform: copy }
          - { name: site, youtrack: homepage, customcrm: Website, transform: copy }
`;
    writeFileSync(config, TEMPLATE.replace('    schedule:', mapping + '    schedule:'));
    const out = join(dir, 'dataflow.rst');
    expect(await run(['--config', config, '--out', out])).toBe(0);
    const doc = readFileSync(out, 'utf8');
    expect(doc).toContain('YouTrack Organizations to Customcrm Customer');
    expect(doc).toContain('   * - ``homepage``\n     - ``Website``\n     - string\n');
    expect(doc).toContain(
      'YouTrack to Customcrm: merge-then-create (a new user is linked to a matching Contact',
    );
    expect(doc).not.toContain('not-needed-for-docs');
  });

  it('names the connections it knows when asked for another', async () => {
    const config = join(dir, 'tandem.yaml');
    expect(await run(['--config', config, '--connection', 'nope', '--out', join(dir, 'x.rst')])).toBe(3);
  });
});
