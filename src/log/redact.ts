/**
 * Secrets must never reach a log line, an error, a file we write or a page we serve.
 * Known secrets (tokens, passwords and webhook secrets from the configuration, the dashboard
 * token) are registered at start-up and replaced wherever they appear, in their plain and their
 * URL-encoded forms. Nothing else is touched: guessing by pattern ("token: ...") garbled ordinary
 * messages and still missed secrets of other shapes. URLs get their own treatment (`redactUrl`),
 * because a URL can carry a secret nobody registered (`user:pass@`, `?key=`).
 */
const registered = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 4) return;
  registered.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) registered.add(encoded);
}

const MASK = '[REDACTED]';

/** Known secrets replaced, and every URL (`scheme://...`) in the text passed through `redactUrl`. */
export function redact(text: string): string {
  if (text.length === 0) return text;
  return maskSecrets(text.includes('://') ? redactUrlsIn(text) : text);
}

function maskSecrets(text: string): string {
  if (registered.size === 0) return text;
  let out = text;
  // Longest first, so that a secret containing another is masked whole.
  for (const s of [...registered].sort((a, b) => b.length - a.length))
    if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** Query parameters whose values only shape a request (paging, field lists): kept in URLs. */
const HARMLESS_QUERY = new Set([
  'fields',
  '$top',
  '$skip',
  'top',
  'skip',
  'limit',
  'offset',
  'page',
  'pagesize',
  'page_size',
  'cursor',
  'after',
  'since',
  'updatedsince',
  'updated_since',
  'sort',
  'order',
  'categories',
]);

/**
 * A URL as it may appear in a log line or an error: userinfo (`user:pass@`) replaced, the value
 * of every query parameter but the paging and field-list ones replaced, then known secrets
 * replaced. Text that is not a URL is only `redact`ed.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return maskSecrets(url);
  }
  let out = `${parsed.protocol}//`;
  // http(s): the whole userinfo (a token is often sent as the user name); other schemes
  // (postgres://) keep the user name, which helps reading an error, and lose the password.
  const web = parsed.protocol === 'http:' || parsed.protocol === 'https:';
  if (web && (parsed.username || parsed.password)) out += `${MASK}@`;
  else if (parsed.password) out += `${parsed.username}:${MASK}@`;
  else if (parsed.username) out += `${parsed.username}@`;
  out += `${parsed.host}${parsed.pathname}`;
  if (parsed.search) {
    const parts = [...parsed.searchParams].map(([k, v]) =>
      HARMLESS_QUERY.has(k.toLowerCase())
        ? `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
        : `${encodeURIComponent(k)}=${MASK}`,
    );
    out += `?${parts.join('&')}`;
  }
  return maskSecrets(out + parsed.hash);
}

/** Every absolute http(s) URL inside a longer text, redacted with `redactUrl`. */
function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
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
      out[k] = SECRET_KEYS.test(k) ? MASK : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
