import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the last-resort handler of a serving process (issue 15)', () => {
  it('logs an escaped error and a rejected promise, and the process keeps running', () => {
    const service = join(import.meta.dirname, 'service.ts');
    const logger = join(import.meta.dirname, '..', 'log', 'logger.ts');
    const script = `
      const { installLastResort } = await import(${JSON.stringify(service)});
      const { stderrLogger } = await import(${JSON.stringify(logger)});
      const remove = installLastResort(stderrLogger());
      setTimeout(() => { throw new Error('escaped from a callback'); }, 5);
      setTimeout(() => void Promise.reject(new Error('nobody awaited this')), 10);
      setTimeout(() => { console.log('still serving'); remove(); }, 50);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('still serving');
    expect(r.stderr).toContain('unexpected error; the service keeps running');
    expect(r.stderr).toContain('escaped from a callback');
    expect(r.stderr).toContain('nobody awaited this');
  });
});
