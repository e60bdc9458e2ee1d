import { intOption, portOption, runCommand } from '../args.ts';
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
    const port = portOption('port', opts.port);
    const workers = {
      jobExpireSeconds: wholeSeconds('job-expire-seconds', opts['job-expire-seconds']),
      maintenanceSeconds: wholeSeconds('job-check-seconds', opts['job-check-seconds']),
    };
    let ctx;
    try {
      ctx = await openContext({ ...opts, serving: true, exclusive: true });
    } catch (err) {
      return reportError(err);
    }
    try {
      const service = await startService(ctx, {
        extraRoutes: (c, runner) =>
          dashboardRoutes({ store: c.store, metrics: c.metrics, runner, connections: c.runtimes }),
        ...(port !== undefined ? { port } : {}),
        workers,
        onCycle: (r) =>
          ctx.logger.info('cycle finished', {
            connection: r.connection,
            kind: r.kind,
            status: r.status,
            writes: r.writes,
          }),
      });
      // The token never goes into a URL: a single-use login link (valid 10 minutes) is shown once
      // on standard output, for the person who started the process, never in the log.
      process.stdout.write(
        `dashboard on ${service.server.url}/ ; log in with ${service.server.loginLink()} (single use, valid 10 minutes${ctx.config.server.token ? '; or with server.token at /login' : ''})\n`,
      );
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

/** pg-boss stores both as whole seconds and refuses a day or more. */
const MAX_SECONDS = 24 * 60 * 60 - 1;

function wholeSeconds(name: 'job-expire-seconds' | 'job-check-seconds', value: string | undefined): number {
  const range = { min: 1, max: MAX_SECONDS, what: 'a whole number of seconds', also: options[name].env };
  return intOption(name, value ?? '', range)!;
}
