/**
 * The `tandem` binary. Each command lives in its own module under commands/ and is loaded
 * only when asked for, so `tandem emulate ...` does not load the engine.
 */
import { createRequire } from 'node:module';
import { stripControl } from '../log/terminal.ts';
import { EXIT } from './exit-codes.ts';
import { guardStdout } from './output.ts';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

export const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'start both emulators with demo data and sync them continuously',
    load: () => import('./commands/demo.ts'),
  },
  init: { summary: 'write a commented tandem.yaml', load: () => import('./commands/init.ts') },
  sync: { summary: 'run one full sync cycle', load: () => import('./commands/sync.ts') },
  plan: {
    summary: 'show what one cycle would do, without writing',
    load: () => import('./commands/plan.ts'),
  },
  run: {
    summary: 'sync continuously (events feed, webhooks, polling)',
    load: () => import('./commands/run.ts'),
  },
  status: {
    summary: 'links, conflicts, quarantine and the last cycle',
    load: () => import('./commands/status.ts'),
  },
  history: { summary: 'per-field history of one record', load: () => import('./commands/history.ts') },
  undo: {
    summary: "revert one cycle's writes on both sides (a field changed since goes to review)",
    load: () => import('./commands/undo.ts'),
  },
  review: {
    summary: 'doubtful cases waiting for a person; `review ID ACTION` decides one',
    load: () => import('./commands/review.ts'),
  },
  docs: {
    summary: 'generate the dataflow document from the configuration',
    load: () => import('./commands/docs.ts'),
  },
  'emulate youtrack': {
    summary: 'run a YouTrack/Hub emulator',
    load: () => import('./commands/emulate-youtrack.ts'),
  },
  'emulate customcrm': {
    summary: 'run the Customcrm reference server',
    load: () => import('./commands/emulate-customcrm.ts'),
  },
  recover: {
    summary: 'list or drop writes a crash interrupted',
    load: () => import('./commands/recover.ts'),
  },
  'store copy': {
    summary: 'copy a state store between SQLite and PostgreSQL',
    load: () => import('./commands/store-copy.ts'),
  },
  'check customcrm': {
    summary: 'check a Customcrm endpoint against the contract',
    load: () => import('./commands/check-customcrm.ts'),
  },
};

export function usage(prefix = ''): string {
  const shown = Object.entries(COMMANDS).filter(([name]) => name.startsWith(prefix));
  const width = Math.max(...shown.map(([name]) => name.length));
  const lines = shown.map(([name, c]) => `  tandem ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage:',
    ...lines,
    '',
    'Run `tandem COMMAND --help` for the options of a command; `tandem --version` prints the version.',
    '',
  ].join('\n');
}

/** The package's version, from its package.json (two levels up from src/cli and dist/cli alike). */
export function version(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { name: string; version: string };
  return pkg.version;
}

const HELP = new Set(['--help', '-h', 'help']);

export async function main(argv: string[]): Promise<number> {
  guardStdout();
  const first = argv[0] ?? '';
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`${version()}\n`);
    return EXIT.OK;
  }
  const two = argv.slice(0, 2).join(' ');
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [first, argv.slice(1)];
  const cmd = COMMANDS[name];
  if (!cmd) {
    // `tandem emulate` and `tandem emulate --help` list the subcommands of the group.
    const group = Object.keys(COMMANDS).some((c) => c.startsWith(`${first} `)) ? `${first} ` : '';
    if (!first || HELP.has(first) || (group && (argv.length === 1 || HELP.has(argv[1] ?? '')))) {
      process.stdout.write(usage(group));
      return EXIT.OK;
    }
    process.stderr.write(
      `tandem: unknown command "${stripControl(argv.slice(0, group ? 2 : 1).join(' '))}"; run \`tandem --help\` for the list.\n`,
    );
    return EXIT.USAGE;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}
