import Database from 'better-sqlite3';
import { SCHEMA } from './schema.sql.ts';
import {
  FIELDS,
  checkWrite,
  externalRefKey,
  normalizeEmail,
  type CrmKind,
  type ExternalRefValue,
  type FieldError,
} from './fields.ts';
import {
  CrmStoreError,
  formatId,
  iso,
  parseId,
  type CrmChange,
  type CrmRecord,
  type CrmTombstone,
} from './records.ts';

interface Row {
  seq: number;
  data: string;
  created_at: number;
  updated_at: number;
  version: number;
  deleted: number;
}

export interface ListQuery {
  limit: number;
  /** Only records whose Id sorts after this one. */
  afterId?: string;
  modifiedSince?: number;
  email?: string;
  externalRef?: ExternalRefValue;
  includeDeleted?: boolean;
}

export interface ListPage {
  data: Array<CrmRecord | CrmTombstone>;
  /** Id of the last record of the page when more follow, else null. */
  lastId: string | null;
}

export interface StoredResponse {
  bodyHash: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

export interface WebhookRow {
  Id: string;
  Url: string;
  Events: string[];
  Secret: string;
  CreatedAt: string;
}

const FEW_CHANGES = 5000;
const IDEMPOTENCY_KEEP_MS = 25 * 60 * 60 * 1000;

/**
 * The CRM's data on SQLite. Every write runs in one synchronous transaction, so a request
 * sees no other request's half-done write; each committed change is announced to listeners
 * (the webhook dispatcher) after the commit.
 */
export class CrmDatabase {
  private readonly db: Database.Database;
  private readonly listeners = new Set<(c: CrmChange) => void>();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
    private readonly externalRefs = true,
  ) {
    this.db = new Database(file);
    this.db.exec(SCHEMA);
  }

  /** Prepared once per SQL text: preparing costs more than running a small statement. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  onChange(listener: (c: CrmChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  count(kind: CrmKind, opts: { includeDeleted?: boolean } = {}): number {
    const where = opts.includeDeleted ? '' : ' WHERE deleted = 0';
    return (this.stmt(`SELECT count(*) AS n FROM ${kind}${where}`).get() as { n: number }).n;
  }

  list(kind: CrmKind, q: ListQuery): ListPage {
    const where: string[] = ['seq > ?'];
    const args: unknown[] = [q.afterId === undefined ? 0 : (parseId(kind, q.afterId) ?? 0)];
    if (!q.includeDeleted) where.push('deleted = 0');
    if (q.modifiedSince !== undefined) {
      where.push('updated_at >= ?');
      args.push(q.modifiedSince);
    }
    if (q.email !== undefined) {
      where.push('email_norm = ?');
      args.push(normalizeEmail(q.email) ?? '');
    }
    if (q.externalRef !== undefined) {
      where.push('seq IN (SELECT seq FROM external_refs WHERE kind = ? AND ref_key = ?)');
      args.push(kind, externalRefKey(q.externalRef));
    }
    const sql = `SELECT * FROM ${this.source(kind, q)} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
    const rows = this.stmt(sql).all(...args, q.limit + 1) as Row[];
    const page = rows.slice(0, q.limit).map((r) => this.toView(kind, r));
    return { data: page, lastId: rows.length > q.limit ? (page[page.length - 1]?.Id ?? null) : null };
  }

  /**
   * An incremental read (`modifiedSince` close to now) matches few records: walking the
   * UpdatedAt index and sorting them beats walking every Id. A read that matches many walks the
   * Id order, which needs no sort. Counting stops at FEW_CHANGES + 1, so the choice stays cheap.
   */
  private source(kind: CrmKind, q: ListQuery): string {
    if (q.modifiedSince === undefined || q.email !== undefined || q.externalRef !== undefined) return kind;
    const { n } = this.stmt(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${kind} WHERE updated_at >= ? LIMIT ${FEW_CHANGES + 1})`,
    ).get(q.modifiedSince) as { n: number };
    return n <= FEW_CHANGES ? `${kind} INDEXED BY ${kind}_updated` : kind;
  }

  /** The live record, or undefined when it never existed or was deleted. */
  get(kind: CrmKind, id: string): CrmRecord | undefined {
    const row = this.row(kind, id);
    return row && !row.deleted ? this.toRecord(kind, row) : undefined;
  }

  create(kind: CrmKind, props: Record<string, unknown>): CrmRecord {
    const errors = checkWrite(kind, props, { externalRefs: this.externalRefs });
    if (errors.length) throw invalid(kind, errors);
    const data = { ...defaults(kind), ...props };
    this.checkRecord(kind, data, props);
    const t = this.now();
    const record = this.db.transaction(() => {
      const { lastInsertRowid } = this.stmt(
        `INSERT INTO ${kind} (data, email_norm, customer_seq, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(JSON.stringify(data), normalizeEmail(data.Email), this.customerSeq(data), t, t);
      const seq = Number(lastInsertRowid);
      this.writeRefs(kind, seq, data.ExternalRefs, true);
      return this.toRecord(kind, this.rowBySeq(kind, seq) as Row);
    })();
    this.emit({ type: `${singular(kind)}.created`, kind, data: record, occurredAt: t });
    return record;
  }

  /** Applies a partial update; a patch that changes nothing leaves Version and UpdatedAt alone. */
  update(
    kind: CrmKind,
    id: string,
    patch: Record<string, unknown>,
    opts: { ifVersion?: number } = {},
  ): CrmRecord {
    const row = this.liveRow(kind, id, opts.ifVersion);
    const errors = checkWrite(kind, patch, { externalRefs: this.externalRefs });
    if (errors.length) throw invalid(kind, errors);
    const current = JSON.parse(row.data) as Record<string, unknown>;
    const changed = Object.keys(patch).filter((p) => JSON.stringify(current[p]) !== JSON.stringify(patch[p]));
    if (changed.length === 0) return this.toRecord(kind, row);
    const data = { ...current, ...patch };
    this.checkRecord(kind, data, patch);
    const t = this.now();
    const record = this.db.transaction(() => {
      this.stmt(
        `UPDATE ${kind} SET data = ?, email_norm = ?, customer_seq = ?, updated_at = ?, version = version + 1 WHERE seq = ?`,
      ).run(JSON.stringify(data), normalizeEmail(data.Email), this.customerSeq(data), t, row.seq);
      if ('ExternalRefs' in patch) this.writeRefs(kind, row.seq, data.ExternalRefs);
      return this.toRecord(kind, this.rowBySeq(kind, row.seq) as Row);
    })();
    this.emit({ type: `${singular(kind)}.updated`, kind, data: record, occurredAt: t });
    return record;
  }

  /** Deletes a record, keeping a tombstone; a deleted customer's contacts lose their CustomerId. */
  delete(kind: CrmKind, id: string, opts: { ifVersion?: number } = {}): CrmTombstone {
    const row = this.liveRow(kind, id, opts.ifVersion);
    const t = this.now();
    const changes: CrmChange[] = [];
    this.db.transaction(() => {
      if (kind === 'customers') {
        const orphans = this.stmt(
          'SELECT * FROM contacts WHERE customer_seq = ? AND deleted = 0 ORDER BY seq',
        ).all(row.seq) as Row[];
        for (const c of orphans) {
          const data = { ...(JSON.parse(c.data) as Record<string, unknown>), CustomerId: null };
          this.stmt(
            'UPDATE contacts SET data = ?, customer_seq = NULL, updated_at = ?, version = version + 1 WHERE seq = ?',
          ).run(JSON.stringify(data), t, c.seq);
          const updated = this.toRecord('contacts', this.rowBySeq('contacts', c.seq) as Row);
          changes.push({ type: 'contact.updated', kind: 'contacts', data: updated, occurredAt: t });
        }
      }
      this.stmt(`UPDATE ${kind} SET deleted = 1, updated_at = ?, version = version + 1 WHERE seq = ?`).run(
        t,
        row.seq,
      );
    })();
    const tombstone = this.toView(kind, this.rowBySeq(kind, row.seq) as Row) as CrmTombstone;
    changes.push({ type: `${singular(kind)}.deleted`, kind, data: tombstone, occurredAt: t });
    for (const c of changes) this.emit(c);
    return tombstone;
  }

  /** Inserts many records in one transaction without announcing them: seeding, not editing. */
  seed(kind: CrmKind, many: Array<Record<string, unknown>>): string[] {
    const t = this.now();
    const insert = this.stmt(
      `INSERT INTO ${kind} (data, email_norm, customer_seq, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)`,
    );
    return this.db.transaction(() =>
      many.map((props) => {
        const errors = checkWrite(kind, props, { externalRefs: this.externalRefs });
        if (errors.length) throw invalid(kind, errors);
        const data = { ...defaults(kind), ...props };
        const seq = Number(
          insert.run(JSON.stringify(data), normalizeEmail(data.Email), this.customerSeq(data), t, t)
            .lastInsertRowid,
        );
        this.writeRefs(kind, seq, data.ExternalRefs, true);
        return formatId(kind, seq);
      }),
    )();
  }

  findIdempotent(kind: CrmKind, key: string): StoredResponse | undefined {
    this.stmt('DELETE FROM idempotency_keys WHERE created_at < ?').run(this.now() - IDEMPOTENCY_KEEP_MS);
    const row = this.stmt(
      'SELECT body_hash, status, response, headers FROM idempotency_keys WHERE kind = ? AND key = ?',
    ).get(kind, key) as { body_hash: string; status: number; response: string; headers: string } | undefined;
    return (
      row && {
        bodyHash: row.body_hash,
        status: row.status,
        body: row.response,
        headers: JSON.parse(row.headers),
      }
    );
  }

  saveIdempotent(kind: CrmKind, key: string, r: StoredResponse): void {
    this.stmt(
      'INSERT OR REPLACE INTO idempotency_keys (kind, key, body_hash, status, response, headers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(kind, key, r.bodyHash, r.status, r.body, JSON.stringify(r.headers), this.now());
  }

  addWebhook(url: string, events: string[], secret: string): WebhookRow {
    const t = this.now();
    const { lastInsertRowid } = this.stmt(
      'INSERT INTO webhooks (url, events, secret, created_at) VALUES (?, ?, ?, ?)',
    ).run(url, JSON.stringify(events), secret, t);
    return {
      Id: webhookId(Number(lastInsertRowid)),
      Url: url,
      Events: events,
      Secret: secret,
      CreatedAt: iso(t),
    };
  }

  listWebhooks(): WebhookRow[] {
    const rows = this.stmt('SELECT * FROM webhooks ORDER BY seq').all() as Array<{
      seq: number;
      url: string;
      events: string;
      secret: string;
      created_at: number;
    }>;
    return rows.map((r) => ({
      Id: webhookId(r.seq),
      Url: r.url,
      Events: JSON.parse(r.events) as string[],
      Secret: r.secret,
      CreatedAt: iso(r.created_at),
    }));
  }

  removeWebhook(id: string): boolean {
    const m = /^wh_(\d{1,15})$/.exec(id);
    return !!m && this.stmt('DELETE FROM webhooks WHERE seq = ?').run(Number(m[1])).changes > 0;
  }

  close(): void {
    this.db.close();
  }

  private emit(change: CrmChange): void {
    for (const l of this.listeners) l(change);
  }

  private row(kind: CrmKind, id: string): Row | undefined {
    const seq = parseId(kind, id);
    return seq === undefined ? undefined : this.rowBySeq(kind, seq);
  }

  private rowBySeq(kind: CrmKind, seq: number): Row | undefined {
    return this.stmt(`SELECT * FROM ${kind} WHERE seq = ?`).get(seq) as Row | undefined;
  }

  private liveRow(kind: CrmKind, id: string, ifVersion: number | undefined): Row {
    const row = this.row(kind, id);
    if (!row || row.deleted)
      throw new CrmStoreError('not-found', `${label(kind)} ${id} does not exist or was deleted`);
    if (ifVersion !== undefined && ifVersion !== row.version)
      throw new CrmStoreError(
        'precondition-failed',
        `${label(kind)} ${id} is at Version ${row.version}, not ${ifVersion}: read it again and reapply the change`,
      );
    return row;
  }

  /** Rules that look at the whole record after the write, or at other records. */
  private checkRecord(kind: CrmKind, data: Record<string, unknown>, written: Record<string, unknown>): void {
    const errors: FieldError[] = [];
    const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
    if (kind === 'customers' && blank(data.Name))
      errors.push({ property: 'Name', code: 'required', message: 'Name is required (1 to 200 characters)' });
    if (kind === 'contacts' && blank(data.FirstName) && blank(data.LastName))
      for (const property of ['FirstName', 'LastName'])
        errors.push({
          property,
          code: 'required',
          message: 'A contact needs a non-empty FirstName or LastName',
        });
    if (kind === 'contacts' && typeof written.CustomerId === 'string' && this.customerSeq(data) === null)
      errors.push({
        property: 'CustomerId',
        code: 'unknown-reference',
        message: `CustomerId ${written.CustomerId} is not an existing customer; create the customer first or send null`,
      });
    if (errors.length) throw invalid(kind, errors);
  }

  private customerSeq(data: Record<string, unknown>): number | null {
    const seq = typeof data.CustomerId === 'string' ? parseId('customers', data.CustomerId) : undefined;
    if (seq === undefined) return null;
    const live = this.stmt('SELECT seq FROM customers WHERE seq = ? AND deleted = 0').get(seq);
    return live ? seq : null;
  }

  private writeRefs(kind: CrmKind, seq: number, refs: unknown, fresh = false): void {
    if (!fresh) this.stmt('DELETE FROM external_refs WHERE kind = ? AND seq = ?').run(kind, seq);
    const insert = this.stmt('INSERT OR IGNORE INTO external_refs (kind, ref_key, seq) VALUES (?, ?, ?)');
    for (const ref of (refs ?? []) as ExternalRefValue[]) insert.run(kind, externalRefKey(ref), seq);
  }

  private toRecord(kind: CrmKind, row: Row): CrmRecord {
    const data = JSON.parse(row.data) as Record<string, unknown>;
    const out: Record<string, unknown> = { Id: formatId(kind, row.seq) };
    for (const f of Object.keys(FIELDS[kind])) if (f !== 'ExternalRefs') out[f] = data[f];
    out.CreatedAt = iso(row.created_at);
    out.UpdatedAt = iso(row.updated_at);
    out.Version = row.version;
    out.ExternalRefs = data.ExternalRefs ?? [];
    return out as unknown as CrmRecord;
  }

  private toView(kind: CrmKind, row: Row): CrmRecord | CrmTombstone {
    if (!row.deleted) return this.toRecord(kind, row);
    const data = JSON.parse(row.data) as { ExternalRefs?: ExternalRefValue[] };
    return {
      Id: formatId(kind, row.seq),
      Deleted: true,
      UpdatedAt: iso(row.updated_at),
      Version: row.version,
      ExternalRefs: data.ExternalRefs ?? [],
    };
  }
}

function defaults(kind: CrmKind): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(FIELDS[kind])) out[f] = null;
  out.ExternalRefs = [];
  if (kind === 'contacts') out.Active = true;
  return out;
}

function singular(kind: CrmKind): 'customer' | 'contact' {
  return kind === 'customers' ? 'customer' : 'contact';
}

function label(kind: CrmKind): string {
  return kind === 'customers' ? 'Customer' : 'Contact';
}

function invalid(kind: CrmKind, errors: FieldError[]): CrmStoreError {
  return new CrmStoreError(
    'validation-failed',
    `The ${singular(kind)} was not saved: ${errors.map((e) => e.message).join('; ')}`,
    errors,
  );
}

function webhookId(seq: number): string {
  return `wh_${String(seq).padStart(6, '0')}`;
}
