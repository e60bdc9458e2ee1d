import type { RecordChange } from '../../core/types.ts';
import type { Ctx } from './context.ts';
import { readOrganizations } from './reads.ts';

/**
 * From 2026.1 Hub's `/events` carries no organization events, so in that mode organizations
 * (a few per customer, not per person) are read on every poll and compared by hash with the
 * previous poll. The first poll of a process has nothing to compare with: it reports every
 * organization as an upsert (the engine finds the unchanged ones by hash), or, when the engine
 * starts from now, only takes the baseline.
 */
export class OrganizationPoll {
  private last: Map<string, string> | undefined;

  async changes(ctx: Ctx, baselineOnly: boolean, signal?: AbortSignal): Promise<RecordChange[]> {
    const now = new Map<string, string>();
    const out: RecordChange[] = [];
    for await (const rec of readOrganizations(ctx, signal)) {
      now.set(rec.id, rec.hash);
      if (!baselineOnly && this.last?.get(rec.id) !== rec.hash)
        out.push({ type: 'Organization', id: rec.id, op: 'upsert', record: rec });
    }
    if (!baselineOnly && this.last)
      for (const id of this.last.keys())
        if (!now.has(id)) out.push({ type: 'Organization', id, op: 'delete' });
    this.last = now;
    return out;
  }
}
