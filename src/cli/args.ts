import { parseArgs } from 'node:util';

/**
 * Each option of a command is declared once (type, default, help, env name); parsing,
 * environment fallback and `--help` are derived from the declaration.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string | boolean;
  env?: string;
  short?: string;
  /** Placeholder in --help, e.g. FILE. */
  arg?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type ParsedOptions<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : string | undefined;
} & { _: string[] };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A whole-number option (digits only) from `min` to `max`: undefined when it was not given, a
 * UsageError naming the option, the range and the value when it is anything else. Every command's
 * numbers go through here, so that `--port 1e3`, `--limit -1` and `--drop 2.5` are refused alike.
 */
export function intOption(
  name: string,
  value: string | undefined,
  range: { min?: number; max?: number; what?: string; also?: string } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const { min = 0, max = Number.MAX_SAFE_INTEGER, what = 'a whole number' } = range;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    const bound = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(
      `--${name}${range.also ? ` (or ${range.also})` : ''} needs ${what} ${bound}, got "${value}"`,
    );
  }
  return n;
}

/** A port option's value: a whole number from 0 (any free port) to 65535, or a UsageError. */
export function portOption(name: string, value: string | undefined): number | undefined {
  return intOption(name, value, { max: 65535, what: 'a port number' });
}

export function parseOptions<S extends OptionSpecs>(
  argv: string[],
  specs: S,
  env = process.env,
): ParsedOptions<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of Object.entries(specs))
    options[name] = { type: s.type, ...(s.short ? { short: s.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // node:util's messages run over several lines and end with advice about `--`: keep the first.
    throw new UsageError(((err as Error).message.split('\n')[0] ?? '').replace(/\.$/, ''));
  }
  const out: Record<string, unknown> = { _: parsed.positionals };
  for (const [name, s] of Object.entries(specs)) {
    const v = (parsed.values as Record<string, unknown>)[name];
    const fromEnv = s.env ? env[s.env] : undefined;
    if (v !== undefined) out[name] = v;
    else if (fromEnv !== undefined)
      out[name] = s.type === 'boolean' ? fromEnv === 'true' || fromEnv === '1' : fromEnv;
    else out[name] = s.default ?? (s.type === 'boolean' ? false : undefined);
  }
  return out as ParsedOptions<S>;
}

export function helpText(usage: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'string' ? ` ${s.arg ?? 'VALUE'}` : ''}`;
    const extras = [
      s.default !== undefined && s.default !== false ? `default: ${String(s.default)}` : '',
      s.env ? `env: ${s.env}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `  ${flag.padEnd(30)} ${s.help}${extras ? ` (${extras})` : ''}`;
  });
  return `Usage: ${usage}\n\nOptions:\n${rows.join('\n')}\n`;
}

/**
 * Runs a command body with the shared conventions: `--help` prints the derived help,
 * a UsageError exits 2 with its message, anything else propagates.
 */
export async function runCommand<S extends OptionSpecs>(
  argv: string[],
  usage: string,
  specs: S,
  body: (opts: ParsedOptions<S>) => Promise<number>,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(usage, specs));
    return 0;
  }
  try {
    return await body(parseOptions(argv, specs));
  } catch (err) {
    if (err instanceof UsageError) {
      const command = usage.split(' ').slice(0, 2).join(' ');
      process.stderr.write(`${command}: ${err.message}. Run \`${command} --help\` for the options.\n`);
      return 2;
    }
    throw err;
  }
}
