import { intOption, portOption, runCommand, UsageError } from '../args.ts';
import { parseFaultSpec } from '../../emulators/shared/faults.ts';
import {
  parseMembershipEvents,
  parseQuirks,
  startYouTrackEmulator,
  type YouTrackEmulatorOptions,
} from '../../emulators/youtrack/index.ts';

const USAGE =
  'tandem emulate youtrack [--port P] [--token T] [--seed demo|empty | --users N --groups N --orgs N] [--api hub|2026] [--faults SPEC] [--seat-limit N] [--membership-events container|member] [--quirks SPEC]';

const SPECS = {
  port: { type: 'string', arg: 'PORT', default: '8111', help: 'port to listen on; 0 picks a free one' },
  host: { type: 'string', arg: 'HOST', default: '127.0.0.1', help: 'address to listen on' },
  token: { type: 'string', arg: 'TOKEN', default: 'perm:demo', help: 'full-scope token (YouTrack and Hub)' },
  'youtrack-only-token': {
    type: 'string',
    arg: 'TOKEN',
    default: 'perm:youtrack-only',
    help: 'token without the Hub scope (rejected by /hub/api/rest)',
  },
  seed: { type: 'string', arg: 'demo|empty', help: 'demo directory or an empty one (default demo)' },
  users: { type: 'string', arg: 'N', help: 'generate N users instead of the demo directory' },
  groups: { type: 'string', arg: 'N', help: 'generate N groups' },
  orgs: { type: 'string', arg: 'N', help: 'generate N organizations' },
  'random-seed': { type: 'string', arg: 'N', default: '1', help: 'seed of the generated directory' },
  api: {
    type: 'string',
    arg: 'hub|2026',
    default: 'hub',
    help: 'emulated version: before 2026.1 (hub) or 2026.1+',
  },
  faults: { type: 'string', arg: 'SPEC', help: 'fault injection, e.g. 5xx=0.1,429=0.05,truncate=0.01' },
  'seat-limit': { type: 'string', arg: 'N', help: 'licence seats; creating users past it fails' },
  'membership-events': {
    type: 'string',
    arg: 'container|member',
    help: 'where Hub events log a membership edit (unknown for real Hub; default container)',
  },
  quirks: {
    type: 'string',
    arg: 'SPEC',
    help: 'e.g. successor-required=false,deleted-group=other,propagation-lag=60000,hub-orgs=gone',
  },
} as const;

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, USAGE, SPECS, async (o) => {
    const seed = o.seed;
    if (seed !== undefined && seed !== 'demo' && seed !== 'empty')
      throw new UsageError(`--seed is demo or empty, got "${seed}"`);
    if (o.api !== 'hub' && o.api !== '2026') throw new UsageError(`--api is hub or 2026, got "${o.api}"`);
    let quirks: YouTrackEmulatorOptions['quirks'];
    let membershipEvents: YouTrackEmulatorOptions['membershipEvents'];
    try {
      parseFaultSpec(o.faults);
      quirks = parseQuirks(o.quirks);
      membershipEvents = parseMembershipEvents(o['membership-events']);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const opts: YouTrackEmulatorOptions = { api: o.api, host: o.host ?? '127.0.0.1' };
    const numbers = {
      port: portOption('port', o.port),
      users: intOption('users', o.users),
      groups: intOption('groups', o.groups),
      orgs: intOption('orgs', o.orgs),
      randomSeed: intOption('random-seed', o['random-seed']),
      seatLimit: intOption('seat-limit', o['seat-limit']),
    };
    for (const [k, v] of Object.entries(numbers)) if (v !== undefined) Object.assign(opts, { [k]: v });
    if (seed) opts.seed = seed;
    if (o.token) opts.token = o.token;
    if (o['youtrack-only-token']) opts.youtrackOnlyToken = o['youtrack-only-token'];
    if (o.faults) opts.faults = o.faults;
    if (quirks) opts.quirks = quirks;
    if (membershipEvents) opts.membershipEvents = membershipEvents;

    const emu = await startYouTrackEmulator(opts);
    process.stdout.write(`YouTrack emulator on ${emu.url} — token ${opts.token ?? 'perm:demo'}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emu.close();
    return 0;
  });
}
