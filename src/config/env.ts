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

/**
 * Replaces `${VAR}` (or `${VAR:-default}`) in every string of a parsed YAML document. Secrets are
 * kept out of the file this way; a missing variable is an error that names the path and the variable.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    const out = value.replace(REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name] ?? fallback;
      if (v === undefined) {
        const where = path.join('.') || '(root)';
        throw new ConfigError(
          `${where}: environment variable ${name} is not set. Set it, or write the value in the file.`,
          [{ path: where, message: `environment variable ${name} is not set` }],
        );
      }
      return v;
    });
    if (SECRET_KEY.test(path[path.length - 1] ?? '')) registerSecret(out);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, [...path, k]);
    return out;
  }
  return value;
}
