import { isoTime, toConflict, toHistory } from './rows.ts';
import { json, checkText, type SqlContext } from './sql-context.ts';
import { conflictsStatement, historyStatement, type ConflictQuery, type HistoryQuery } from './statements.ts';
import { StoreError } from './errors.ts';
import type { Conflict, ConflictStatus, HistoryEntry, NewConflict, NewHistoryEntry } from './types.ts';

/** What happened to each record, property by property, and the conflicts a cycle settled. */
export class HistoryTable {
  constructor(private readonly db: SqlContext) {}

  /** One statement for all the entries (a chunk's history), in the order given. */
  async addHistory(entries: NewHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => {
      const what = `history of ${e.system} ${e.recordId}, ${e.property ?? 'record'}`;
      checkText([e.recordId, e.property, e.note], what);
      return {
        at: isoTime(e.at),
        cycle_id: e.cycleId,
        link_id: e.linkId,
        flow: e.flow,
        system: e.system,
        record_id: e.recordId,
        property: e.property,
        old_value: json(e.oldValue, `${what}, old value`),
        new_value: json(e.newValue, `${what}, new value`),
        source: e.source,
        action: e.action,
        note: e.note,
      };
    });
    await this.db.run(this.db.q.insertHistories, [JSON.stringify(rows), this.db.connection]);
  }

  async listHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
    return (await this.db.query(historyStatement(this.db.q, query, this.db.connection))).map(toHistory);
  }

  async addConflict(conflict: NewConflict): Promise<Conflict> {
    const what = `conflict on link ${conflict.linkId}, ${conflict.property}`;
    const [row] = await this.db.insert(this.db.q.insertConflict, [
      conflict.linkId,
      conflict.flow,
      conflict.property,
      conflict.winnerSide,
      json(conflict.winnerValue, `${what}, winning value`),
      conflict.loserSide,
      json(conflict.loserValue, `${what}, losing value`),
      isoTime(conflict.at),
      this.db.connection,
    ]);
    return toConflict(row!);
  }

  async listConflicts(query: ConflictQuery): Promise<Conflict[]> {
    return (await this.db.query(conflictsStatement(this.db.q, query, this.db.connection))).map(toConflict);
  }

  resolveConflict(id: number, resolution: 'keep-winner' | 'apply-loser', by: string): Promise<void> {
    const status: ConflictStatus = resolution === 'keep-winner' ? 'kept' : 'applied-loser';
    return this.db.driver.transaction(async (c) => {
      if ((await c.run(this.db.q.resolveConflict, [id, status, this.db.now(), by])) === 1) return;
      const [row] = await c.all(this.db.q.getConflict, [id]);
      if (!row) throw new StoreError('NOT_FOUND', `conflict ${id} does not exist; reload the conflict list`);
      const current = toConflict(row);
      throw new StoreError(
        'CONFLICT_NOT_OPEN',
        `conflict ${id} (${current.property}) was already resolved (${current.status}) by ${current.resolvedBy ?? 'a cycle'}; reload the conflict list`,
      );
    });
  }

  async pendingResolutions(): Promise<Conflict[]> {
    return (await this.db.all(this.db.q.pendingResolutions, [this.db.connection])).map(toConflict);
  }

  async markResolutionApplied(id: number): Promise<void> {
    await this.db.run(this.db.q.markResolutionApplied, [id]);
  }

  async countConflicts(): Promise<{ open: number; pending: number }> {
    const [row] = await this.db.all(this.db.q.countConflicts, [this.db.connection]);
    return { open: Number(row?.open ?? 0), pending: Number(row?.pending ?? 0) };
  }
}
