import { toCycle } from './rows.ts';
import type { SqlContext } from './sql-context.ts';
import { StoreError } from './errors.ts';
import type { CycleRecord, CycleResult } from './types.ts';

/** The cycles run and what each did, and the webhook events already accepted. */
export class CycleTable {
  constructor(private readonly db: SqlContext) {}

  async startCycle(info: { connection: string; kind: 'full' | 'incremental' | 'plan' }): Promise<number> {
    const [row] = await this.db.insert(this.db.q.insertCycle, [info.connection, info.kind, this.db.now()]);
    return Number(row!.id);
  }

  async finishCycle(id: number, result: CycleResult): Promise<void> {
    const changed = await this.db.run(this.db.q.finishCycle, [
      id,
      result.status,
      result.writes,
      JSON.stringify(result.stats),
      result.message ?? null,
      this.db.now(),
    ]);
    if (changed === 0)
      throw new StoreError('NOT_FOUND', `cycle ${id} does not exist; start it with startCycle`);
  }

  interruptStaleCycles(): Promise<number[]> {
    return this.db.driver.transaction(async (c) => {
      const running = (await c.all(this.db.q.runningCycles, [this.db.connection])).map((r) => Number(r.id));
      const current = running.pop();
      const message =
        `the process running it stopped before it finished (killed or crashed); ` +
        `found still running when cycle ${current} of connection ${this.db.connection} started`;
      for (const id of running) await c.run(this.db.q.interruptCycle, [id, message, this.db.now()]);
      return running;
    });
  }

  async listCycles(query: { limit: number }): Promise<CycleRecord[]> {
    return (await this.db.all(this.db.q.listCycles, [query.limit])).map(toCycle);
  }

  async lastCycles(): Promise<CycleRecord[]> {
    return (await this.db.all(LAST_CYCLES)).map(toCycle);
  }

  async writesPerCycle(
    limit: number,
  ): Promise<Array<{ cycleId: number; startedAt: string; writes: number }>> {
    const rows = await this.db.all(this.db.q.writesPerCycle, [limit]);
    return rows.map((r) => ({
      cycleId: Number(r.id),
      startedAt: r.started_at instanceof Date ? r.started_at.toISOString() : String(r.started_at),
      writes: Number(r.writes),
    }));
  }

  // Webhook replay cache (issue 15)

  async claimWebhookEvent(eventId: string): Promise<boolean> {
    const day = new Date(this.db.clock.now() - 24 * 3600_000).toISOString();
    await this.db.run(this.db.q.pruneWebhookEvents, [day]);
    const rows = await this.db.insert(this.db.q.claimWebhookEvent, [
      this.db.connection,
      eventId,
      this.db.now(),
    ]);
    return rows.length > 0;
  }
}

/** No parameters, so the same text runs on every dialect (their placeholders differ). */
const LAST_CYCLES = `SELECT * FROM cycles WHERE id IN (SELECT max(id) FROM cycles GROUP BY connection)
  ORDER BY connection`;
