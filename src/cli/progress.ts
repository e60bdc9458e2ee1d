import type { FlowName, SystemName } from '../core/types.ts';

/**
 * A one-line progress display for long first runs in a terminal: records read per flow, rate and
 * an estimate of the time left (from the previous total when known). Silent when not a terminal.
 */
export class ProgressBar {
  private readonly counts = new Map<string, number>();
  private total = 0;
  private readonly started = Date.now();
  private lastDraw = 0;

  private constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
    private readonly expected?: number,
  ) {}

  static forTerminal(
    label: string,
    expected?: number,
    stream: NodeJS.WriteStream = process.stderr,
  ): ProgressBar | undefined {
    return stream.isTTY ? new ProgressBar(label, stream, expected) : undefined;
  }

  readonly tick = (flow: FlowName, system: SystemName, n: number): void => {
    const key = `${flow}/${system === 'youtrack' ? 'yt' : 'crm'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    this.total += n;
    const now = Date.now();
    if (now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.draw(now);
    }
  };

  private draw(now: number): void {
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.total / secs;
    const eta =
      this.expected && rate > 0
        ? ` eta ${Math.max(0, Math.round((this.expected - this.total) / rate))}s`
        : '';
    const parts = [...this.counts].map(([k, v]) => `${k} ${v}`).join('  ');
    this.stream.write(`\r\x1b[2K${this.label}: ${parts}  ${Math.round(rate)} rec/s${eta}`);
  }

  done(): void {
    this.draw(Date.now());
    this.stream.write('\n');
  }
}
