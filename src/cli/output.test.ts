import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hasControl, stripControl } from '../log/terminal.ts';
import { cliLogger, guardStdout } from './output.ts';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const EVIL = 'Evil\u001b]0;owned\u0007 \u001b[2J\u009b31m\rname';

describe('terminal output strips control characters (finding 5)', () => {
  it('in the pretty log: message and fields stay one visible line', async () => {
    const { stream, text } = capture();
    cliLogger('pretty', 'info', stream).warn(`record ${EVIL}`, { label: EVIL, nested: { v: EVIL } });
    await new Promise((r) => setImmediate(r));
    const line = text();
    expect(line.split('\n').filter(Boolean)).toHaveLength(1);
    expect(hasControl(line.trimEnd())).toBe(false);
    expect(line).toContain('Evil\\x1b]0;owned\\x07');
  });

  it('on standard output: status, history, plan and review lines', async () => {
    const { stream, text } = capture();
    guardStdout(stream);
    guardStdout(stream); // idempotent
    stream.write(`  update Contact C-1: ${EVIL}\n`);
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe(`  update Contact C-1: ${stripControl(EVIL)}\n`);
    expect(text()).not.toContain('\u001b');
  });

  it('keeps newlines and tabs, and plain text unchanged', () => {
    expect(stripControl('a\tb\nc')).toBe('a\tb\nc');
    expect(stripControl('Zoë Ørsted 山田')).toBe('Zoë Ørsted 山田');
  });
});
