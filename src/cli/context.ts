import { loadConfigFile, ConfigError } from '../config/load.ts';
import { ConnectorError } from '../connectors/types.ts';
import { HttpError } from '../http/errors.ts';
import { redact } from '../log/redact.ts';
import { ListenError } from '../server/http.ts';
import { openApp, type OpenApp } from '../app/app.ts';
import { StoreError } from '../store/index.ts';
import { cliLogger } from './output.ts';
import { EXIT } from './exit-codes.ts';
import type { OptionSpecs } from './args.ts';

/** Options every command that works on a configuration shares. */
export const configOptions = {
  config: {
    type: 'string',
    help: 'configuration file',
    default: 'tandem.yaml',
    env: 'TANDEM_CONFIG',
    short: 'c',
    arg: 'FILE',
  },
  store: {
    type: 'string',
    help: 'state store: sqlite:FILE or postgres://... (overrides the file)',
    env: 'TANDEM_STORE',
    arg: 'URL',
  },
  connection: { type: 'string', help: 'only this connection (default: all)', arg: 'NAME' },
  'log-format': {
    type: 'string',
    help: 'pretty or json (default: pretty in a terminal, json otherwise)',
    arg: 'FORMAT',
  },
  verbose: { type: 'boolean', help: 'log every HTTP call' },
} as const satisfies OptionSpecs;

/** The app a command works with (see app/app.ts), and the store URL it was opened on. */
export interface Context extends OpenApp {
  /** The store's URL as given (it may hold a password: never log it). */
  storeUrl?: string;
}

export async function openContext(opts: {
  config?: string | undefined;
  store?: string | undefined;
  connection?: string | undefined;
  'log-format'?: string | undefined;
  verbose?: boolean;
  /** `run`: the server section's variables (the dashboard token) are needed; others skip them. */
  serving?: boolean;
  /** `run`, `sync`: take the SQLite store's process lock (a second such process is refused). */
  exclusive?: boolean;
}): Promise<Context> {
  const logger = cliLogger(opts['log-format'], opts.verbose ? 'debug' : 'info');
  const config = loadConfigFile(opts.config ?? 'tandem.yaml', process.env, {
    serving: opts.serving ?? false,
  });
  const selected = opts.connection
    ? config.connections.filter((c) => c.name === opts.connection)
    : config.connections;
  if (selected.length === 0)
    throw new ConfigError(
      `${opts.config}: no connection named "${opts.connection}" (known: ${config.connections.map((c) => c.name).join(', ')})`,
    );
  // The store is scoped to the first selected connection; status, history and the dashboard reach
  // the others with `store.forConnection(rt.name)`, a cycle scopes it itself.
  const storeUrl = opts.store ?? config.store;
  const app = await openApp(config, {
    logger,
    storeUrl,
    exclusive: opts.exclusive ?? false,
    connections: selected,
  });
  return { ...app, storeUrl };
}

/**
 * Opens the context, runs `body`, closes the store; errors the user can act on become one message
 * and an exit code.
 */
export async function withContext(
  opts: Parameters<typeof openContext>[0],
  body: (ctx: Context) => Promise<number>,
): Promise<number> {
  let ctx: Context;
  try {
    ctx = await openContext(opts);
  } catch (err) {
    return reportError(err);
  }
  try {
    return await body(ctx);
  } catch (err) {
    return reportError(err);
  } finally {
    await ctx.close();
  }
}

/** Turns the errors a user can act on into one clear message and an exit code; rethrows bugs. */
export function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`tandem: ${redact(err.message)}\n`);
    return EXIT.CONFIG;
  }
  if (err instanceof ListenError) {
    process.stderr.write(`tandem: ${err.message}\n`);
    return EXIT.CONFIG;
  }
  if (err instanceof ConnectorError) {
    // Connector messages often start with their system already: say it once.
    const message = redact(err.message);
    const system = `${err.info.system}: `;
    process.stderr.write(`tandem: ${message.startsWith(system) ? '' : system}${message}\n`);
    return EXIT.CONNECTIVITY;
  }
  if (err instanceof HttpError) {
    process.stderr.write(
      `tandem: ${redact(err.message)}. Check that ${err.details.system} is reachable and its URL is right.\n`,
    );
    return EXIT.CONNECTIVITY;
  }
  if (err instanceof StoreError) {
    process.stderr.write(`tandem: ${redact(err.message)}\n`);
    return EXIT.CONFIG;
  }
  throw err;
}
