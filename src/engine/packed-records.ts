import type { RemoteRecord } from '../core/types.ts';

/**
 * Records held as their JSON text, unpacked one at a time when asked for (issue 16). A streamed
 * full cycle must hold every linked Customcrm contact until its YouTrack user's batch comes; as
 * objects they cost about 1 KB each and every major garbage collection walks them (a no-change
 * full read at 100,000 users peaked at 325 MB, a third of its CPU in the collector). One flat
 * string per record is a third of that and a leaf the collector does not walk; the record made
 * from it lives only while its pair is planned. Records are plain JSON data (`Props` are strings,
 * numbers, booleans, null and string arrays), so the round trip is exact.
 */
export class PackedRecords {
  private readonly texts = new Map<string, string>();

  add(r: RemoteRecord): void {
    this.texts.set(r.id, JSON.stringify(r));
  }

  get(id: string): RemoteRecord | undefined {
    const text = this.texts.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as RemoteRecord);
  }

  has(id: string): boolean {
    return this.texts.has(id);
  }

  get size(): number {
    return this.texts.size;
  }

  ids(): IterableIterator<string> {
    return this.texts.keys();
  }
}
