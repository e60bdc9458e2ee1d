import type { ConnectionRuntime } from '../src/engine/runtime.ts';
import type { StateStore } from '../src/store/types.ts';

export interface EditResult {
  youtrack: number;
  customcrm: number;
}

/**
 * Edits `share` of the linked users on each side through the emulators' HTTP APIs (the
 * connectors' update calls): every 1/share-th link has its YouTrack full name changed, and the
 * link after it its Customcrm last name, so no pair is edited on both sides and every edit must
 * cost exactly one write on the other side.
 */
export async function editShare(
  rt: ConnectionRuntime,
  store: StateStore,
  share: number,
): Promise<EditResult> {
  const step = Math.max(2, Math.round(1 / share));
  const done: EditResult = { youtrack: 0, customcrm: 0 };
  // The YouTrack connector learns Hub id → YouTrack id from its reads; without one, every update
  // would scan the users collection to resolve the id (the bench's runtime is a fresh one).
  for await (const _ of rt.youtrack.readAll('User'));
  let i = 0;
  for await (const link of store.forConnection(rt.name).iterateLinks('users')) {
    const at = i++ % step;
    if (link.status !== 'active') continue;
    if (at === 0) {
      await rt.youtrack.update('User', link.ytId, { fullName: `Edited Youtrack${i}` });
      done.youtrack++;
    } else if (at === 1) {
      await rt.customcrm.update('Contact', link.crmId, { LastName: `Editedcrm${i}` });
      done.customcrm++;
    }
  }
  return done;
}
