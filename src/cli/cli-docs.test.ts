import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './main.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'cli.md'), 'utf8');

/** What `tandem COMMAND --help` prints, from the command's own declared options. */
async function help(name: string): Promise<string> {
  const mod = await COMMANDS[name]!.load();
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    expect(await mod.run(['--help'])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('docs/cli.md against the declared options (issue 15, finding 14)', () => {
  for (const name of Object.keys(COMMANDS))
    it(`documents every option of tandem ${name}`, async () => {
      expect(doc).toContain(`tandem ${name}`);
      const flags = [...(await help(name)).matchAll(/^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
      expect(flags.length).toBeGreaterThan(0);
      const missing = flags.filter((f) => !new RegExp(`${f}(?![a-z-])`).test(doc));
      expect(missing, `tandem ${name}`).toEqual([]);
    });
});
