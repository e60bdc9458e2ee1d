import type { Metrics } from '../engine/metrics.ts';
import type { SyncRunner } from '../engine/runner.ts';
import type { Logger } from '../log/logger.ts';
import type { StateStore } from '../store/types.ts';
import { collectAllStatus } from '../engine/status.ts';
import type { Route } from './http.ts';

export interface WebhookReceiverLike {
  handle(
    rawBody: string,
    headers: Record<string, string | undefined>,
  ): { ok: true } | { ok: false; status: number; code: string; message: string };
}

/** The id the receiver checked: the event's `Id`, else the delivery header. */
function eventIdOf(raw: string, headers: Record<string, string | undefined>): string {
  try {
    const id = (JSON.parse(raw) as { Id?: unknown }).Id;
    if (typeof id === 'string') return id;
  } catch {
    // the receiver accepted it, so it is JSON; keep the header as the fallback anyway
  }
  return headers['customcrm-webhook-id'] ?? '';
}

/** A Customcrm event is a few KiB; a megabyte leaves room without inviting a flood. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** /healthz, /metrics and the Customcrm webhook receiver of every connection. */
export function serviceRoutes(deps: {
  store: StateStore;
  metrics: Metrics;
  runner: Pick<SyncRunner, 'trigger' | 'schedule'>;
  logger: Logger;
  receivers: Map<string, WebhookReceiverLike>;
  now?: () => number;
}): Route[] {
  const now = deps.now ?? Date.now;
  return [
    {
      method: 'GET',
      path: '/healthz',
      auth: 'none',
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      auth: 'token',
      handle: async (_req, res) => {
        // Every connection, labelled: a provider with many must see which one is stuck.
        const connections = deps.runner.schedule().map((s) => s.connection);
        const gauges = [];
        for (const status of await collectAllStatus(deps.store, connections)) {
          const connection = status.connection;
          for (const [flow, byStatus] of Object.entries(status.links))
            for (const [s, n] of Object.entries(byStatus))
              gauges.push({
                name: 'tandem_links',
                help: 'Links per connection, flow and status',
                labels: { connection, flow, status: s },
                value: n,
              });
          gauges.push({
            name: 'tandem_conflicts_open',
            help: 'Conflicts waiting for a decision',
            labels: { connection },
            value: status.conflicts.open,
          });
          gauges.push({
            name: 'tandem_quarantined_records',
            help: 'Records rejected and waiting',
            labels: { connection },
            value: status.quarantine.quarantined,
          });
        }
        for (const s of deps.runner.schedule()) {
          const last = deps.metrics.get('tandem_last_success_timestamp_seconds', {
            connection: s.connection,
          });
          if (last > 0)
            gauges.push({
              name: 'tandem_seconds_since_last_success',
              help: 'Time since the last successful cycle',
              labels: { connection: s.connection },
              value: Math.round(now() / 1000 - last),
            });
        }
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(deps.metrics.render(gauges));
      },
    },
    {
      method: 'POST',
      path: /^\/webhooks\/customcrm\/([a-z0-9-]+)$/,
      auth: 'none',
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // Before the body is read: an unknown connection or a delivery without a well-formed
      // signature and timestamp is refused on its headers alone.
      precheck: (req, params) => {
        if (!deps.receivers.has(params[0] ?? ''))
          return { status: 404, message: 'No webhook receiver here.' };
        const ts = req.headers['customcrm-webhook-timestamp'];
        const sig = req.headers['customcrm-webhook-signature'];
        if (
          typeof ts !== 'string' ||
          !/^\d{1,12}$/.test(ts) ||
          typeof sig !== 'string' ||
          !sig.includes('v1=')
        )
          return {
            status: 401,
            message: 'The Customcrm-Webhook-Timestamp and -Signature headers are missing or malformed.',
          };
        return null;
      },
      handle: async (req, res, ctx) => {
        const connection = ctx.params[0] ?? '';
        const receiver = deps.receivers.get(connection);
        if (!receiver) {
          res.writeHead(404).end();
          return;
        }
        const raw = await ctx.body();
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
        let result = receiver.handle(raw, headers);
        // The receiver's own cache sees this process only; the store's sees restarts and workers.
        if (
          result.ok &&
          !(await deps.store.forConnection(connection).claimWebhookEvent(eventIdOf(raw, headers)))
        )
          result = {
            ok: false,
            status: 400,
            code: 'REPLAYED',
            message: 'this event was already received (before a restart or by another worker)',
          };
        deps.metrics.inc('tandem_webhook_deliveries_total', 'Webhook deliveries by outcome', {
          connection,
          outcome: result.ok ? 'accepted' : result.code,
        });
        if (!result.ok) {
          deps.logger.warn('webhook rejected', { connection, code: result.code });
          res.writeHead(result.status, { 'content-type': 'application/problem+json' });
          res.end(
            JSON.stringify({ title: 'Webhook rejected', status: result.status, detail: result.message }),
          );
          return;
        }
        deps.runner.trigger(connection);
        res.writeHead(204).end();
      },
    },
  ];
}
