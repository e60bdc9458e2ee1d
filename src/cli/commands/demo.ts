import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { portOption, runCommand, UsageError } from '../args.ts';
import { reportError, type Context } from '../context.ts';
import { cliLogger } from '../output.ts';
import { startService, untilSignal } from '../service.ts';
import { summarize } from '../summary.ts';
import { parseConfig } from '../../config/load.ts';
import { openApp } from '../../app/app.ts';
import { startYouTrackEmulator } from '../../emulators/youtrack/index.ts';
import { startCustomcrmServer } from '../../emulators/customcrm/index.ts';
import { dashboardRoutes } from '../../server/dashboard/index.ts';

const options = {
  port: { type: 'string', help: 'dashboard port (default: a free one)', default: '0', arg: 'PORT' },
  interval: { type: 'string', help: 'seconds between cycles', default: '5', arg: 'SECONDS' },
  'log-format': { type: 'string', help: 'pretty or json', arg: 'FORMAT' },
  once: { type: 'boolean', help: 'run one cycle and a second, no-change one, then stop (used by the tests)' },
} as const;

/**
 * `tandem demo`: both emulators with demo data on free ports, a SQLite store in a temporary
 * folder, and the real sync running continuously, told in plain words. Ctrl-C stops everything.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem demo [--port PORT] [--interval SECONDS]', options, async (opts) => {
    const out = process.stdout;
    const port = portOption('port', opts.port) ?? 0;
    const interval = Number(opts.interval);
    if (!(interval > 0))
      throw new UsageError(`--interval needs a number of seconds above 0, got "${opts.interval}"`);
    const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
    const logger = cliLogger(opts['log-format'], 'warn');
    const dashboardToken = randomBytes(12).toString('base64url');
    const webhookSecret = randomBytes(24).toString('base64url');
    let ctx: Context | undefined;
    let youtrack: Awaited<ReturnType<typeof startYouTrackEmulator>> | undefined;
    let crm: Awaited<ReturnType<typeof startCustomcrmServer>> | undefined;
    // Everything started is stopped, and the temporary folder removed, however the demo ends.
    try {
      youtrack = await startYouTrackEmulator({ seed: 'demo', port: 0 });
      crm = await startCustomcrmServer({ seed: 'demo', port: 0, db: join(dir, 'customcrm.db') });
      const config = parseConfig({
        store: `sqlite:${join(dir, 'tandem.db')}`,
        server: { host: '127.0.0.1', port, token: dashboardToken },
        connections: [
          {
            name: 'demo',
            youtrack: { url: youtrack.url, token: 'perm:demo' },
            customcrm: { url: `${crm.url}/v1`, token: 'crm-demo-token', webhookSecret },
            schedule: { intervalSeconds: interval, reconcileEverySeconds: 600 },
            // The demo CRM already holds two of the organizations: link them by name instead of
            // creating a second Customer each (off by default; see docs/configuration.md).
            sync: { mergeOrganizationsByName: true },
          },
        ],
      });
      const c: Context = await openApp(config, { logger });
      ctx = c;
      out.write(
        [
          'Tandem demo',
          `  YouTrack emulator   ${youtrack.url}   (token perm:demo; try ${youtrack.url}/api/users?fields=id,login,fullName)`,
          `  Customcrm server    ${crm.url}/v1   (token crm-demo-token)`,
          `  state store         ${join(dir, 'tandem.db')}`,
          '',
        ].join('\n') + '\n',
      );
      let cycles = 0;
      let resolveTwo: () => void = () => undefined;
      const twoCycles = new Promise<void>((r) => (resolveTwo = r));
      const service = await startService(c, {
        extraRoutes: (c, runner) =>
          dashboardRoutes({ store: c.store, metrics: c.metrics, runner, connections: c.runtimes }),
        onCycle: (r) => {
          cycles++;
          if (r.writes > 0 || cycles <= 2 || r.status !== 'ok') out.write(summarize(r) + '\n');
          if (cycles === 2) resolveTwo();
        },
      });
      out.write(
        `  dashboard           ${service.server.loginLink()}   (one-time login link, valid 10 minutes)\n\n`,
      );
      out.write(
        'Syncing. Edit a user in YouTrack or a contact in Customcrm and watch it arrive. Ctrl-C stops.\n\n',
      );
      if (opts.once) {
        await twoCycles;
      } else {
        await untilSignal();
        out.write('\nStopping…\n');
      }
      await service.stop();
      return 0;
    } catch (err) {
      return reportError(err);
    } finally {
      await ctx?.close().catch(() => undefined);
      await youtrack?.close().catch(() => undefined);
      await crm?.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
