import { toJournal } from './rows.ts';
import { json, type SqlContext } from './sql-context.ts';
import { StoreError } from './errors.ts';
import type { JournalEntry, NewJournalEntry } from './types.ts';

/** The write-ahead journal of remote writes, and the watermarks of incremental reads. */
export class JournalTable {
  constructor(private readonly db: SqlContext) {}

  async beginWrite(e: NewJournalEntry): Promise<JournalEntry> {
    const [entry] = await this.beginWrites([e]);
    return entry!;
  }

  async beginWrites(entries: readonly NewJournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return [];
    const batch = entries.map((e) => ({
      key: e.key,
      flow: e.flow,
      op: e.op,
      target_system: e.targetSystem,
      target_type: e.targetType,
      source_system: e.sourceSystem,
      source_id: e.sourceId,
      payload: json(e.payload, `create of ${e.targetType} from ${e.sourceSystem} ${e.sourceId}`),
    }));
    // One statement, one round trip: the new entries come back from the insert; only keys begun
    // before (a repeated call, rare) are read again.
    // Not in a transaction of its own: the insert is one atomic statement, and the entries it did
    // not insert were committed before it.
    const rows = await this.db.all(this.db.q.insertJournals, [
      JSON.stringify(batch),
      this.db.now(),
      this.db.connection,
    ]);
    const byKey = new Map(rows.map((r) => [r['key'], r]));
    const earlier = entries.filter((e) => !byKey.has(e.key)).map((e) => e.key);
    if (earlier.length > 0)
      for (const r of await this.db.all(this.db.q.getJournalsByKeys, [JSON.stringify(earlier)]))
        byKey.set(r['key'], r);
    return entries.map((e) => toJournal(byKey.get(e.key)!));
  }

  async completeWrite(
    id: number,
    result: { targetId?: string; status: 'done' | 'failed'; error?: string },
  ): Promise<void> {
    const changed = await this.db.run(this.db.q.completeWrite, [
      id,
      result.status,
      result.targetId ?? null,
      result.error ?? null,
      this.db.now(),
    ]);
    if (changed === 0) throw new StoreError('NOT_FOUND', `journal entry ${id} does not exist`);
  }

  async completeWrites(
    results: ReadonlyArray<{ id: number; targetId?: string; status: 'done' | 'failed'; error?: string }>,
  ): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r) => ({
      id: r.id,
      status: r.status,
      target_id: r.targetId ?? null,
      error: r.error ?? null,
    }));
    const changed = await this.db.run(this.db.q.completeWrites, [JSON.stringify(rows), this.db.now()]);
    if (changed !== new Set(results.map((r) => r.id)).size)
      throw new StoreError(
        'NOT_FOUND',
        `${results.length - changed} of journal entries ${results.map((r) => r.id).join(', ')} do not exist`,
      );
  }

  async pendingWrites(): Promise<JournalEntry[]> {
    return (await this.db.all(this.db.q.pendingWrites, [this.db.connection])).map(toJournal);
  }

  async getWatermark(name: string): Promise<string | undefined> {
    const [row] = await this.db.all(this.db.q.getWatermark, [name]);
    return row ? String(row.value) : undefined;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    await this.db.run(this.db.q.setWatermark, [name, value, this.db.now()]);
  }
}
