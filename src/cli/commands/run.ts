import { runCommand } from '../args.ts';
import { configOptions, openContext, reportError } from '../context.ts';
import { startService, untilSignal } from '../service.ts';
import { dashboardRoutes } from '../../server/dashboard/index.ts';
import { DEFAULT_WORKER_OPTIONS } from '../../engine/workers/worker-pool.ts';

const options = {
  ...configOptions,
  port: {
    type: 'string',
    help: 'port of the dashboard, /metrics and webhooks (overrides the file)',
    arg: 'PORT',
  },
  'job-expire-seconds': {
    type: 'string',
    help: 'PostgreSQL store: a cycle job active this long counts as dead and another worker takes it',
    default: String(DEFAULT_WORKER_OPTIONS.jobExpireSeconds),
    env: 'TANDEM_JOB_EXPIRE_SECONDS',
    arg: 'SECONDS',
  },
  'job-check-seconds': {
    type: 'string',
    help: 'PostgreSQL store: how often workers look for expired jobs',
    default: String(DEFAULT_WORKER_OPTIONS.maintenanceSeconds),
    env: 'TANDEM_JOB_CHECK_SECONDS',
    arg: 'SECONDS',
  },
} as const;

/** `tandem run`: sync continuously until SIGTERM/SIGINT; the write in flight is finished first. */
export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem run [--config FILE] [--port PORT]', options, async (opts) => {
    let ctx;
    try {
      ctx = await openContext(opts);
    } catch (err) {
      return reportError(err);
    }
    try {
      const service = await startService(ctx, {
        extraRoutes: (c, runner) =>
          dashboardRoutes({ store: c.store, metrics: c.metrics, runner, mapping: c.runtimes[0]?.mapping }),
        ...(opts.port !== undefined ? { port: Number(opts.port) } : {}),
        workers: {
          jobExpireSeconds: Number(opts['job-expire-seconds']),
          maintenanceSeconds: Number(opts['job-check-seconds']),
        },
        onCycle: (r) =>
          ctx.logger.info('cycle finished', {
            connection: r.connection,
            kind: r.kind,
            status: r.status,
            writes: r.writes,
          }),
      });
      ctx.logger.info(`dashboard on ${service.server.url}/ (token from server.token in the configuration)`);
      const signal = await untilSignal();
      ctx.logger.info(`${signal}: finishing the write in flight, then stopping`);
      await service.stop();
      return 0;
    } catch (err) {
      return reportError(err);
    } finally {
      await ctx.close();
    }
  });
}
