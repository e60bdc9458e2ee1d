import { intOption, portOption, UsageError, runCommand, type OptionSpecs } from '../args.ts';
import {
  DEFAULT_TOKEN,
  startCustomcrmServer,
  type CrmCapability,
  type CustomcrmServerOptions,
} from '../../emulators/customcrm/index.ts';

const CAPABILITIES: CrmCapability[] = [
  'etag',
  'idempotency',
  'externalRefs',
  'webhooks',
  'modifiedSince',
  'batch',
];

const OPTIONS = {
  port: {
    type: 'string',
    arg: 'P',
    default: '8082',
    env: 'CUSTOMCRM_PORT',
    help: 'port to listen on (0 = any free port)',
  },
  host: { type: 'string', arg: 'HOST', default: '127.0.0.1', help: 'address to listen on' },
  db: {
    type: 'string',
    arg: 'FILE',
    env: 'CUSTOMCRM_DB',
    help: 'SQLite file; data survives a restart (default: in memory)',
  },
  token: {
    type: 'string',
    arg: 'T',
    env: 'CUSTOMCRM_TOKEN',
    help: `bearer token clients must send (default: ${DEFAULT_TOKEN})`,
  },
  seed: {
    type: 'string',
    arg: 'demo|empty',
    help: 'demo: the shared demo directory; empty: nothing (default: demo unless --customers/--contacts)',
  },
  customers: { type: 'string', arg: 'N', help: 'generate N customers into an empty database' },
  contacts: { type: 'string', arg: 'N', help: 'generate N contacts spread over the customers' },
  'random-seed': {
    type: 'string',
    arg: 'N',
    default: '1',
    help: 'seed of the generated data (same seed, same data)',
  },
  faults: {
    type: 'string',
    arg: 'SPEC',
    help: 'inject faults on /v1, e.g. 5xx=0.1,429=0.05,latency=0-40,seed=7',
  },
  disable: {
    type: 'string',
    arg: 'LIST',
    help: `switch capabilities off, comma-separated: ${CAPABILITIES.join(', ')}`,
  },
} satisfies OptionSpecs;

const USAGE =
  'tandem emulate customcrm [--port P] [--db FILE] [--token T] [--seed demo | --customers N --contacts N] [--faults SPEC] [--disable LIST]';

export async function run(argv: string[]): Promise<number> {
  return runCommand(argv, USAGE, OPTIONS, async (o) => {
    const opts: CustomcrmServerOptions = {
      port: portOption('port', o.port) ?? 0,
      host: o.host ?? '127.0.0.1',
      randomSeed: intOption('random-seed', o['random-seed']) ?? 0,
    };
    if (o.db) opts.db = o.db;
    if (o.token) opts.token = o.token;
    if (o.faults) opts.faults = o.faults;
    if (o.customers) opts.customers = intOption('customers', o.customers, { max: 10_000_000 })!;
    if (o.contacts) opts.contacts = intOption('contacts', o.contacts, { max: 10_000_000 })!;
    if (o.seed !== undefined && o.seed !== 'demo' && o.seed !== 'empty')
      throw new UsageError(`--seed is demo or empty, got "${o.seed}"`);
    opts.seed = o.seed ?? (o.customers || o.contacts ? 'empty' : 'demo');
    if (o.disable) opts.disable = parseDisable(o.disable);

    let server;
    try {
      server = await startCustomcrmServer(opts);
    } catch (err) {
      // A bad --faults spec or a busy port is the user's to fix, not a crash.
      throw new UsageError((err as Error).message);
    }
    // Only the public demo token is printed; a real one stays out of terminals and logs.
    const token = (opts.token ?? DEFAULT_TOKEN) === DEFAULT_TOKEN ? DEFAULT_TOKEN : 'from --token';
    process.stdout.write(`Customcrm reference server on ${server.url}/v1 — token ${token}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  });
}

function parseDisable(list: string): CrmCapability[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      if (!(CAPABILITIES as string[]).includes(name))
        throw new UsageError(`--disable: unknown capability "${name}" (known: ${CAPABILITIES.join(', ')})`);
      return name as CrmCapability;
    });
}
