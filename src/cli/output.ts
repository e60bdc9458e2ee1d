import { redact, redactValue } from '../log/redact.ts';
import { JsonLogger, type LogFields, type Logger, type LogLevel } from '../log/logger.ts';
import { stripControl } from '../log/terminal.ts';

const GUARDED = Symbol.for('tandem.stdout.guarded');

/**
 * Everything the commands print on standard output (status, history, plan, review, demo) holds
 * names and messages from the synced systems: control characters and terminal escapes in them
 * are shown as `\x1b` instead of reaching the terminal. JSON output is escaped already.
 */
export function guardStdout(stream: NodeJS.WriteStream = process.stdout): void {
  const marked = stream as NodeJS.WriteStream & { [GUARDED]?: boolean };
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' ? stripControl(chunk) : chunk, ...rest)) as typeof stream.write;
}

/**
 * Logs for people in a terminal ("12:00:01 warn  message key=value"), JSON lines otherwise or
 * when asked with --log-format json. Both are redacted.
 */
export function cliLogger(
  format: string | undefined,
  level: LogLevel = 'info',
  stream: NodeJS.WritableStream = process.stderr,
): Logger {
  const json = format === 'json' || (format !== 'pretty' && !(stream as NodeJS.WriteStream).isTTY);
  if (json) return new JsonLogger({ write: (l) => stream.write(l) }, level);
  return new PrettyLogger(stream, level);
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

class PrettyLogger implements Logger {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly level: LogLevel,
    private readonly base: LogFields = {},
  ) {}
  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const all = redactValue({ ...this.base, ...fields }) as LogFields;
    const kv = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const time = new Date().toISOString().slice(11, 19);
    // Names from the synced systems may hold terminal escapes: one log line stays one plain line.
    const line = stripControl(`${redact(msg)}${kv ? '  ' + kv : ''}`, { keepNewline: false });
    this.stream.write(`${time} ${level.padEnd(5)} ${line}\n`);
  }
  debug(msg: string, fields?: LogFields) {
    this.emit('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields) {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields) {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields) {
    this.emit('error', msg, fields);
  }
  child(fields: LogFields): Logger {
    return new PrettyLogger(this.stream, this.level, { ...this.base, ...fields });
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(redactValue(value), null, 2) + '\n');
}
