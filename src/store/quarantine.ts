import type { RecordType, SystemName } from '../core/types.ts';
import { toQuarantine } from './rows.ts';
import type { SqlContext } from './sql-context.ts';
import { quarantineStatement, retryStatement, type QuarantineQuery } from './statements.ts';
import type { NewQuarantineEntry, QuarantineEntry } from './types.ts';

/** Records rejected with a reason, retried on later cycles. */
export class QuarantineTable {
  constructor(private readonly db: SqlContext) {}

  async quarantine(e: NewQuarantineEntry): Promise<void> {
    await this.db.run(this.db.q.upsertQuarantine, [
      e.system,
      e.recordType,
      e.recordId,
      e.flow,
      e.code,
      e.property,
      e.reason,
      this.db.now(),
      this.db.connection,
    ]);
  }

  async findQuarantine(query: {
    system: SystemName;
    recordType: RecordType;
    recordId: string;
  }): Promise<QuarantineEntry | null> {
    const [row] = await this.db.all(this.db.q.findQuarantine, [
      query.system,
      query.recordType,
      query.recordId,
      this.db.connection,
    ]);
    return row ? toQuarantine(row) : null;
  }

  async releaseQuarantine(query: {
    system: SystemName;
    recordType: RecordType;
    recordId: string;
  }): Promise<void> {
    await this.db.run(this.db.q.releaseQuarantine, [
      query.system,
      query.recordType,
      query.recordId,
      this.db.connection,
    ]);
  }

  async listQuarantine(query: QuarantineQuery): Promise<QuarantineEntry[]> {
    return (await this.db.query(quarantineStatement(this.db.q, query, this.db.connection))).map(toQuarantine);
  }

  requestRetry(id: number | 'all'): Promise<number> {
    const { sql, params } = retryStatement(this.db.q, id, this.db.connection);
    return this.db.run(sql, params);
  }

  async countQuarantine(): Promise<{ quarantined: number; retryRequested: number }> {
    const [row] = await this.db.all(this.db.q.countQuarantine, [this.db.connection]);
    return { quarantined: Number(row?.quarantined ?? 0), retryRequested: Number(row?.retry_requested ?? 0) };
  }
}
