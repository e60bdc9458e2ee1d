import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfigFile } from '../../config/load.ts';
import { renderDataflowDoc } from '../../core/dataflow-doc.ts';
import { defaultMapping, loadMapping, MappingError } from '../../core/mapping.ts';
import { policiesFor } from '../../engine/runtime.ts';
import { runCommand } from '../args.ts';
import { configOptions, reportError } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

const options = {
  config: configOptions.config,
  connection: { type: 'string', help: 'document this connection (default: the first)', arg: 'NAME' },
  out: { type: 'string', help: 'write the document here instead of to standard output', arg: 'FILE' },
} as const;

const REF = /\$\{([A-Z0-9_]+)(:-[^}]*)?\}/g;

/**
 * The document needs no secret, so a `${VAR}` without a default that is not set gets a stand-in:
 * `tandem docs` runs in CI without tokens. Secrets that are set are read (and redacted) as usual.
 */
function envForDocs(file: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return env; // loadConfigFile reports the unreadable file.
  }
  for (const [, name, fallback] of text.matchAll(REF))
    if (name && fallback === undefined && env[name] === undefined) env[name] = 'not-needed-for-docs';
  return env;
}

/** The moment printed in the document; SOURCE_DATE_EPOCH makes a build reproducible. */
function generatedAt(): string {
  const epoch = Number(process.env['SOURCE_DATE_EPOCH']);
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString();
}

/** `tandem docs`: the dataflow document (reStructuredText) of a configuration. */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem docs [--config FILE] [--connection NAME] [--out FILE]',
    options,
    async (opts) => {
      const file = opts.config ?? 'tandem.yaml';
      try {
        const config = loadConfigFile(file, envForDocs(file));
        const conn = opts.connection
          ? config.connections.find((c) => c.name === opts.connection)
          : config.connections[0];
        if (!conn) {
          const known = config.connections.map((c) => c.name).join(', ');
          process.stderr.write(
            `tandem: ${file}: no connection named "${opts.connection}" (known: ${known})\n`,
          );
          return EXIT.CONFIG;
        }
        const mapping = conn.mapping === undefined ? defaultMapping : loadMapping(conn.mapping);
        const doc = renderDataflowDoc({
          mapping,
          policies: policiesFor(conn),
          generatedAt: generatedAt(),
          source: file,
        });
        if (opts.out) {
          writeFileSync(opts.out, doc);
          process.stderr.write(`Wrote ${opts.out}.\n`);
        } else process.stdout.write(doc);
        return EXIT.OK;
      } catch (err) {
        if (err instanceof MappingError) {
          process.stderr.write(`tandem: ${file}: ${err.message}\n`);
          return EXIT.CONFIG;
        }
        return reportError(err);
      }
    },
  );
}
