import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError, interpolateEnv } from './env.ts';
import { findUnknownKeys } from './strict.ts';
import { configSchema, type TandemConfig } from './schema.ts';
import { loadMapping, MappingError } from '../core/mapping.ts';

export { ConfigError };

export function formatIssues(
  issues: z.core.$ZodIssue[],
  prefix = '',
): Array<{ path: string; message: string }> {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }));
}

export interface ParseOptions {
  /**
   * False for commands that serve nothing (plan, sync, status...): a variable missing under
   * `server` is then no error (the dashboard token is not needed). Default true.
   */
  serving?: boolean;
}

/** `server.*` paths: the ones only a serving command needs. */
const serverOnly = (path: readonly string[]): boolean => path[0] === 'server';

/** Validates an already-parsed configuration object. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  source = 'configuration',
  options: ParseOptions = {},
): TandemConfig {
  const interpolated = interpolateEnv(
    raw,
    env,
    [],
    options.serving === false ? { optional: serverOnly } : {},
  );
  const result = configSchema.safeParse(interpolated);
  const unknown = findUnknownKeys(configSchema, interpolated).map((u) => ({
    path: u.path,
    message: `unknown key "${u.key}"${u.suggestion ? `; did you mean "${u.suggestion}"?` : ''} (remove it or fix its name)`,
  }));
  if (!result.success || unknown.length > 0) {
    const issues = [...unknown, ...(result.success ? [] : formatIssues(result.error.issues))];
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw new ConfigError(`${source} is not valid:\n${lines}`, issues);
  }
  const data = result.data;
  const names = new Set<string>();
  for (const [i, c] of data.connections.entries()) {
    if (names.has(c.name))
      throw new ConfigError(
        `${source}: connections.${i}.name "${c.name}" is used twice; give each connection its own name`,
      );
    names.add(c.name);
    if (c.mapping !== undefined) {
      try {
        loadMapping(c.mapping);
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        const issues = err.issues.map((x) => ({ path: `connections.${i}.${x.path}`, message: x.message }));
        throw new ConfigError(
          `${source} is not valid:\n${issues.map((x) => `  ${x.path}: ${x.message}`).join('\n')}`,
          issues,
        );
      }
    }
  }
  return data;
}

export function loadConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ParseOptions = {},
): TandemConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${file}: no such file. Create one with \`npx tandem init\` or pass --config PATH.`
        : `${file}: cannot be read (${code ?? String(err)}).`,
    );
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseConfig(raw, env, file, options);
}
