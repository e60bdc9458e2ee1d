/**
 * Entities kept in creation order with lookups by Hub id and YouTrack id, so that a list page is
 * a slice of an array that is already in order, never a scan or a sort per request.
 */
export class Collection<T extends { readonly hubId: string; readonly ytId: string; readonly seq: number }> {
  private readonly ordered: T[] = [];
  private readonly byHub = new Map<string, T>();
  private readonly byYt = new Map<string, T>();

  get size(): number {
    return this.ordered.length;
  }

  /** All entities in creation order; callers must not mutate the array. */
  get all(): readonly T[] {
    return this.ordered;
  }

  get(hubId: string): T | undefined {
    return this.byHub.get(hubId);
  }

  getByYtId(ytId: string): T | undefined {
    return this.byYt.get(ytId);
  }

  /** Entities are created with increasing `seq`, so appending keeps the order. */
  add(entity: T): void {
    this.ordered.push(entity);
    this.byHub.set(entity.hubId, entity);
    this.byYt.set(entity.ytId, entity);
  }

  remove(entity: T): void {
    const at = this.position(entity.seq);
    if (this.ordered[at] === entity) this.ordered.splice(at, 1);
    this.byHub.delete(entity.hubId);
    this.byYt.delete(entity.ytId);
  }

  private position(seq: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ordered[mid]?.seq ?? Infinity) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
