import type { IncomingMessage } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { html, type Html } from './html.ts';

/**
 * Every POST must carry the form token of this server's forms, and a browser's `Origin` (when it
 * sends one) must be this host. The SameSite=Strict cookie already stops most cross-site posts;
 * this also covers browsers and proxies that drop SameSite.
 */
export class CsrfGuard {
  private readonly token = randomBytes(24).toString('base64url');

  field(): Html {
    return html`<input type="hidden" name="csrf" value="${this.token}" />`;
  }

  /** A reason to refuse the request, or null when it may go ahead. */
  check(req: IncomingMessage, form: URLSearchParams): string | null {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined && (!host || !sameHost(origin, host)))
      return 'the request came from another site (its Origin is not this dashboard)';
    if (req.headers['sec-fetch-site'] === 'cross-site') return 'the request came from another site';
    const sent = form.get('csrf') ?? '';
    const a = Buffer.from(sent);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      return 'the form is stale or did not come from this dashboard; reload the page and try again';
    return null;
  }
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
