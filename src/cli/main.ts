/**
 * The `tandem` binary. Each command lives in its own module under commands/ and is loaded
 * only when asked for, so `tandem emulate ...` does not load the engine.
 */
type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
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
  'store copy': {
    summary: 'copy a state store between SQLite and PostgreSQL',
    load: () => import('./commands/store-copy.ts'),
  },
  'check customcrm': {
    summary: 'check a Customcrm endpoint against the contract',
    load: () => import('./commands/check-customcrm.ts'),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  tandem ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage:', ...lines, '', 'Run `tandem COMMAND --help` for the options of a command.', ''].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const two = argv.slice(0, 2).join(' ');
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0] ?? '', argv.slice(1)];
  const cmd = COMMANDS[name];
  if (!cmd) {
    if (name && name !== '--help' && name !== '-h' && name !== 'help')
      process.stderr.write(`Unknown command "${argv.join(' ')}".\n\n`);
    process.stderr.write(usage());
    return name && name !== '--help' && name !== '-h' && name !== 'help' ? 2 : 0;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}
