/**
 * Failpoints let the crash tests stop a cycle at an exact point, the way a power cut or an OOM
 * kill would. The engine calls the hook it was given at each point; production passes none.
 * Points: after-read (per record read), before-create (journaled, not sent), after-batch (a batch
 * of creates answered, none of them linked), after-create, after-update, and per executed chunk
 * before-commit (its remote writes done, links and bases not yet stored) and after-commit.
 */
export type FailpointName =
  | 'after-read'
  | 'before-create'
  | 'after-batch'
  | 'after-create'
  | 'after-update'
  | 'before-commit'
  | 'after-commit';

export type Failpoint = (name: FailpointName) => void;

export const noFailpoint: Failpoint = () => undefined;

/**
 * A hook from a spec such as `after-create:3,before-commit` (`TANDEM_FAILPOINT`): `fire` is called
 * at the nth passage of a named point (the first when no count is given).
 */
export function failpointFromSpec(spec: string | undefined, fire: (name: FailpointName) => void): Failpoint {
  if (!spec) return noFailpoint;
  const counters = new Map<string, number>();
  const wanted = spec.split(',').map((part) => {
    const [point, nth] = part.split(':');
    return { point, nth: Number(nth ?? '1') };
  });
  return (name) => {
    for (const { point, nth } of wanted) {
      if (point !== name) continue;
      const n = (counters.get(name) ?? 0) + 1;
      counters.set(name, n);
      if (n === nth) fire(name);
    }
  };
}
