import type { HttpClient } from '../../http/client.ts';
import { youtrackPages } from './paging.ts';
import { fields } from './wire.ts';
import { z } from 'zod';

const MAX_ENTRIES = 200_000;
const idPair = z.looseObject({ id: z.string(), ringId: z.string().nullish() });

/**
 * Hub id (ringId) → YouTrack id, for the 2026.1 write endpoints that take YouTrack ids and for
 * the `youtrackId` alias. Filled by every read; a miss scans the YouTrack collection (ids only)
 * until the id turns up. The oldest entries go first past MAX_ENTRIES, so memory stays bounded.
 */
export class IdMap {
  private readonly map = new Map<string, string>();

  constructor(
    private readonly http: HttpClient,
    private readonly path: string,
    private readonly pageSize: number,
  ) {}

  remember(ringId: string | null | undefined, youtrackId: string | null | undefined): void {
    if (!ringId || !youtrackId) return;
    this.map.delete(ringId);
    this.map.set(ringId, youtrackId);
    if (this.map.size > MAX_ENTRIES) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  known(ringId: string): string | undefined {
    return this.map.get(ringId);
  }

  forget(ringId: string): void {
    this.map.delete(ringId);
  }

  /** The YouTrack id of a Hub id, or undefined when YouTrack does not know it. */
  async resolve(ringId: string): Promise<string | undefined> {
    const hit = this.map.get(ringId);
    if (hit) return hit;
    const pages = youtrackPages(this.http, {
      path: this.path,
      fields: fields.ytIds,
      schema: idPair,
      pageSize: Math.max(this.pageSize, 500),
    });
    for await (const page of pages) {
      for (const e of page) this.remember(e.ringId, e.id);
      const found = this.map.get(ringId);
      if (found) return found;
    }
    return undefined;
  }
}
