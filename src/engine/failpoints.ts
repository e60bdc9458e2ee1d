/**
 * Failpoints let the crash tests kill the process at an exact point of a cycle, the way a power cut
 * or an OOM kill would. `TANDEM_FAILPOINT=after-create:3` kills the process with SIGKILL right after
 * the 3rd successful create, before its link is recorded. Points: after-read (per record read),
 * before-create (journaled, not sent), after-batch (a batch of creates answered, none of them
 * linked), after-create, after-update, and per executed chunk
 * before-commit (its remote writes done, links and bases not yet stored) and after-commit.
 * Unset in production: one string compare.
 */
const spec = process.env['TANDEM_FAILPOINT'];
const counters = new Map<string, number>();

export function failpoint(name: string): void {
  if (!spec) return;
  for (const part of spec.split(',')) {
    const [point, nth] = part.split(':');
    if (point !== name) continue;
    const n = (counters.get(name) ?? 0) + 1;
    counters.set(name, n);
    if (n === Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
  }
}
