import { runCommand, UsageError } from '../args.ts';
import { reportError } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { copyStore } from '../../store/copy.ts';
import { redactUrl } from '../../store/url.ts';

const options = {
  from: { type: 'string', help: 'the store to copy: sqlite:FILE or postgres://...', arg: 'URL' },
  to: { type: 'string', help: 'a new, empty store: sqlite:FILE or postgres://...', arg: 'URL' },
  json: { type: 'boolean', help: 'print the rows copied per table as JSON' },
} as const;

/**
 * `tandem store copy --from URL --to URL`: moves a state store between SQLite and PostgreSQL (links,
 * history, conflicts, quarantine, journal, watermarks, cycles, review items), so a new store does
 * not start from nothing. Stop `tandem run` first: rows written during the copy are not copied.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem store copy --from URL --to URL [--json]', options, async (opts) => {
    if (!opts.from || !opts.to) throw new UsageError('Name both stores: --from URL --to URL.');
    try {
      const counts = await copyStore(opts.from, opts.to);
      if (opts.json) printJson({ from: redactUrl(opts.from), to: redactUrl(opts.to), rows: counts });
      else
        process.stdout.write(
          `Copied ${redactUrl(opts.from)} to ${redactUrl(opts.to)}: ${Object.entries(counts)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ')}.\n`,
        );
      return EXIT.OK;
    } catch (err) {
      return reportError(err);
    }
  });
}
