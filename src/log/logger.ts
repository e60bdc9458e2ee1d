import { redact, redactValue } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

/** JSON-lines logger; every line passes through redaction before it is written. */
export class JsonLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly level: LogLevel = 'info',
    private readonly base: LogFields = {},
    private readonly now: () => number = Date.now,
  ) {}

  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const record = { time: new Date(this.now()).toISOString(), level, msg: redact(msg), ...this.base };
    const extra = fields ? (redactValue(fields) as LogFields) : {};
    this.sink.write(JSON.stringify({ ...record, ...extra }) + '\n');
  }
  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.sink, this.level, { ...this.base, ...fields }, this.now);
  }
}

/** Collects lines in memory; tests read them back (and scan them for secrets). */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  records(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

export function stderrLogger(level: LogLevel = 'info'): Logger {
  return new JsonLogger({ write: (l) => process.stderr.write(l) }, level);
}
