/**
 * Secrets must never reach a log line, an error, a file we write or a page we serve.
 * Known secrets (tokens and webhook secrets from the configuration) are registered at
 * start-up and replaced verbatim; token-shaped strings are masked by pattern as a second net.
 */
const registered = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 4) registered.add(secret);
}

const PATTERNS: RegExp[] = [
  /(Bearer\s+)[^\s"',;]+/gi,
  /(Basic\s+)[A-Za-z0-9+/=]+/g,
  /\b(perm[:-])[A-Za-z0-9._:=+/-]+/g,
  /((?:token|secret|password|apikey|api_key|authorization)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const s of registered) out = out.split(s).join('[REDACTED]');
  for (const p of PATTERNS) out = out.replace(p, '$1[REDACTED]');
  return out;
}

const SECRET_KEYS = /^(authorization|token|secret|password|api[-_]?key|x-api-key|cookie|set-cookie)$/i;

/** Deep copy of a value with secret-named keys masked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) ? '[REDACTED]' : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
