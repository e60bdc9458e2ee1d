import type { Clock } from '../../util/clock.ts';
import type { DirectoryEvent } from './model.ts';

/**
 * The audit log behind Hub's `GET /events`. Ids are the strings "1", "2", "3"... (Hub's model
 * types the id as a string; `afterId:` is documented as a number), so `afterId` is an array
 * offset, and timestamps never go backwards (a wall clock that steps back is clamped) so
 * `after` is a binary search.
 */
export class EventLog {
  private readonly list: DirectoryEvent[] = [];

  constructor(private readonly clock: Clock) {}

  get all(): readonly DirectoryEvent[] {
    return this.list;
  }

  get lastId(): number {
    return this.list.length;
  }

  append(event: Omit<DirectoryEvent, 'id' | 'timestamp'>): DirectoryEvent {
    const last = this.list[this.list.length - 1];
    const timestamp = Math.max(this.clock.now(), last?.timestamp ?? 0);
    const full: DirectoryEvent = { ...event, id: String(this.list.length + 1), timestamp };
    this.list.push(full);
    return full;
  }

  /**
   * Appends an event whose keys are taken as given (an unknown `targetType`, `changes` of a
   * shape no public model shows...), to test that a client survives what it does not know.
   */
  appendRaw(event: Partial<Omit<DirectoryEvent, 'id' | 'timestamp'>>): DirectoryEvent {
    return this.append({
      targetId: '',
      targetType: '',
      targetPresentation: '',
      author: '',
      authorPresentation: '',
      authorType: 'user',
      type: 'updated',
      changes: [],
      ...event,
    });
  }

  /** Events with `id > afterId` and `timestamp > afterTime`, in id order. */
  since(afterId: number, afterTime: number): readonly DirectoryEvent[] {
    let from = Math.max(0, Math.min(this.list.length, Math.floor(afterId)));
    let lo = from;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.list[mid]?.timestamp ?? Infinity) <= afterTime) lo = mid + 1;
      else hi = mid;
    }
    from = lo;
    return this.list.slice(from);
  }
}
