import { failpointFromSpec, type Failpoint } from '../engine/failpoints.ts';

/**
 * The crash tests' hook: `TANDEM_FAILPOINT=after-create:3` kills this process with SIGKILL at the
 * 3rd passage of `after-create`, the way a power cut or an OOM kill would (points in
 * src/engine/failpoints.ts). Read here, at the edge; the engine only calls the hook it is given.
 */
export function processFailpoint(env: NodeJS.ProcessEnv = process.env): Failpoint | undefined {
  const spec = env['TANDEM_FAILPOINT'];
  return spec ? failpointFromSpec(spec, () => process.kill(process.pid, 'SIGKILL')) : undefined;
}
