import { registerSecret } from '../log/redact.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

const REF = /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g;
/** Keys whose values are secrets: registered for redaction wherever they come from. */
const SECRET_KEY = /(token|secret|password)$/i;

export interface InterpolateOptions {
  /**
   * Paths whose missing variables are not an error: the key is left out instead. Commands that
   * serve nothing (`plan`, `sync`) skip `server.*`, so they do not ask for the dashboard token.
   */
  optional?: (path: readonly string[]) => boolean;
}

/**
 * Replaces `${VAR}` (or `${VAR:-default}`) in every string of a parsed YAML document. Secrets are
 * kept out of the file this way. Every missing variable is named in one error, with its path.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string[] = [],
  options: InterpolateOptions = {},
): unknown {
  const missing: Array<{ path: string; name: string }> = [];
  const out = substitute(value, env, path, options, missing);
  if (missing.length > 0) {
    const names = [...new Set(missing.map((m) => m.name))];
    const where = missing.map((m) => `${m.path} (${m.name})`).join(', ');
    throw new ConfigError(
      `environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not set, used at ${where}. Set ${names.length > 1 ? 'them' : 'it'}, or write the value in the file.`,
      missing.map((m) => ({ path: m.path, message: `environment variable ${m.name} is not set` })),
    );
  }
  return out;
}

/** Marks a value left out because an optional path's variable is missing. */
const OMIT = Symbol('omit');

function substitute(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string[],
  options: InterpolateOptions,
  missing: Array<{ path: string; name: string }>,
): unknown {
  if (typeof value === 'string') {
    let absent = false;
    const out = value.replace(REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name] ?? fallback;
      if (v !== undefined) return v;
      if (options.optional?.(path)) absent = true;
      else missing.push({ path: path.join('.') || '(root)', name });
      return '';
    });
    if (absent) return OMIT;
    if (SECRET_KEY.test(path[path.length - 1] ?? '')) registerSecret(out);
    return out;
  }
  if (Array.isArray(value))
    return value.map((v, i) => substitute(v, env, [...path, String(i)], options, missing));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = substitute(v, env, [...path, k], options, missing);
      if (r !== OMIT) out[k] = r;
    }
    return out;
  }
  return value;
}
