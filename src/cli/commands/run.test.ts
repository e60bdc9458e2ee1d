import { afterEach, describe, expect, it } from 'vitest';
import { run } from './run.ts';

/** Runs `tandem run` in this process and returns its exit code and what it wrote to stderr. */
async function runCaptured(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    // A configuration that does not exist: a valid command line would fail later, with exit 1.
    const code = await run(['--config', '/nonexistent/tandem.yaml', ...argv]);
    return { code, stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('tandem run worker options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['TANDEM_JOB_EXPIRE_SECONDS', 'TANDEM_JOB_CHECK_SECONDS']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  for (const option of ['--job-expire-seconds', '--job-check-seconds']) {
    for (const bad of ['0', '-5', 'abc', '1.5', '', '86400']) {
      it(`exits 2 naming ${option} for "${bad}"`, async () => {
        const { code, stderr } = await runCaptured([`${option}=${bad}`]);
        expect(code).toBe(2);
        expect(stderr).toContain(`${option} (or TANDEM_`);
        expect(stderr).toContain(`got "${bad}"`);
      });
    }
  }

  it('checks a value from the environment too, naming the variable', async () => {
    process.env.TANDEM_JOB_CHECK_SECONDS = 'soon';
    const { code, stderr } = await runCaptured([]);
    expect(code).toBe(2);
    expect(stderr).toContain('--job-check-seconds (or TANDEM_JOB_CHECK_SECONDS)');
    expect(stderr).toContain('got "soon"');
  });

  it('accepts whole seconds and goes on to read the configuration', async () => {
    const { code, stderr } = await runCaptured(['--job-expire-seconds', '60', '--job-check-seconds', '5']);
    expect(code).not.toBe(2);
    expect(stderr).not.toContain('--job-');
  });
});
