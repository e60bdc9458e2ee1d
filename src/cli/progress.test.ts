import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress.ts';

function fakeTerminal(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = { isTTY, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

describe('progress line', () => {
  it('shows records per flow, the rate and an ETA in a terminal', () => {
    const t = fakeTerminal(true);
    const bar = ProgressBar.forTerminal('sync main', 1000, t.stream)!;
    bar.tick('users', 'youtrack', 100);
    bar.tick('users', 'customcrm', 50);
    bar.done();
    const last = t.chunks.filter((c) => c.startsWith('\r')).at(-1)!;
    expect(last).toContain('users/yt 100');
    expect(last).toContain('users/crm 50');
    expect(last).toMatch(/\d+ rec\/s/);
    expect(last).toMatch(/eta \d+s/);
    expect(t.chunks.at(-1)).toBe('\n');
  });

  it('stays silent when not a terminal', () => {
    const t = fakeTerminal(false);
    expect(ProgressBar.forTerminal('sync main', 10, t.stream)).toBeUndefined();
  });
});
