import { randomBytes } from 'node:crypto';
import { processFailpoint } from './failpoint.ts';
import { createWebhookReceiver } from '../connectors/customcrm/index.ts';
import { subscribesWebhooks } from '../connectors/types.ts';
import type { CycleReport } from '../engine/cycle.ts';
import type { WorkerPoolOptions } from '../engine/workers/worker-pool.ts';
import type { Coordinator } from '../app/app.ts';
import { registerSecret } from '../log/redact.ts';
import { startHttpServer, type Route, type RunningServer } from '../server/http.ts';
import { serviceRoutes, type WebhookReceiverLike } from '../server/routes.ts';
import type { Context } from './context.ts';
import type { Logger } from '../log/logger.ts';

/** What the edges need of whatever runs the cycles: `SyncRunner` or, on PostgreSQL, `WorkerPool`. */
export type CycleRunner = Pick<Coordinator, 'trigger' | 'schedule' | 'stop'>;

export interface Service {
  runner: CycleRunner;
  server: RunningServer;
  /** The dashboard token (from the configuration, or made up for this run). */
  token: string;
  stop(): Promise<void>;
}

export type ExtraRoutes = (ctx: Context, runner: CycleRunner) => Route[];

/**
 * The service of `tandem run` and `tandem demo` on the app (app/app.ts): its coordinator, the
 * HTTP edge, and the webhook subscriptions. The connectors verified here are the ones that run.
 */
export async function startService(
  ctx: Context,
  opts: {
    onCycle?: (r: CycleReport) => void;
    extraRoutes?: ExtraRoutes;
    port?: number;
    workers?: Partial<WorkerPoolOptions>;
  } = {},
): Promise<Service> {
  const failpoint = processFailpoint();
  // On PostgreSQL any number of `tandem run` share the work; on SQLite one process runs it all.
  const runner = ctx.coordinator({
    ...(opts.onCycle ? { onCycle: opts.onCycle } : {}),
    ...(failpoint ? { failpoint } : {}),
    ...(opts.workers ? { workers: opts.workers } : {}),
  });
  const token = ctx.config.server.token ?? randomBytes(18).toString('base64url');
  registerSecret(token);
  const receivers = new Map<string, WebhookReceiverLike>();
  for (const rt of ctx.runtimes) {
    const secret = rt.config.customcrm.webhookSecret;
    if (secret)
      receivers.set(
        rt.name,
        createWebhookReceiver({ secret, logger: ctx.logger.child({ connection: rt.name }) }),
      );
  }
  const server = await startHttpServer({
    host: ctx.config.server.host,
    port: opts.port ?? ctx.config.server.port,
    token,
    logger: ctx.logger,
    publicUrl: ctx.config.server.publicUrl,
    routes: [
      ...serviceRoutes({ store: ctx.store, metrics: ctx.metrics, runner, logger: ctx.logger, receivers }),
      ...(opts.extraRoutes?.(ctx, runner) ?? []),
    ],
  });
  const publicUrl = ctx.config.server.publicUrl ?? server.url;
  // A start that fails (a rejected token, a CRM that is down) frees the port and stops what it
  // started before the error reaches the command, which then exits with its code.
  try {
    for (const rt of ctx.runtimes) {
      await rt.youtrack.verify();
      const info = await rt.customcrm.verify();
      for (const f of info.fallbacks) ctx.logger.warn(f, { connection: rt.name });
      if (!receivers.has(rt.name) || !subscribesWebhooks(rt.customcrm)) continue;
      try {
        await rt.customcrm.subscribeWebhooks(`${publicUrl}/webhooks/customcrm/${rt.name}`);
      } catch (err) {
        ctx.logger.warn('webhooks could not be subscribed; Customcrm is polled instead', {
          connection: rt.name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    await runner.start();
  } catch (err) {
    await runner.stop().catch(() => undefined);
    await server.close().catch(() => undefined);
    throw err;
  }
  const removeLastResort = installLastResort(ctx.logger);
  return {
    runner,
    server,
    token,
    stop: async () => {
      removeLastResort();
      await runner.stop();
      await server.close();
    },
  };
}

/**
 * The last-resort handler of a serving process: an error that escaped every other handler is
 * logged and the process keeps serving (the dashboard, /metrics and the next cycle) instead of
 * ending. Returns the function that removes it.
 */
export function installLastResort(logger: Logger): () => void {
  const onError = (err: unknown) =>
    logger.error('unexpected error; the service keeps running', {
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
