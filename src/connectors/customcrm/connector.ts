import type { CustomcrmType, ExternalRef, Props, RecordType, RemoteRecord } from '../../core/types.ts';
import { HttpClient } from '../../http/client.ts';
import type { HttpAuth, HttpResponse } from '../../http/client.ts';
import { HttpError } from '../../http/errors.ts';
import { gateFor } from '../../http/concurrency.ts';
import { TokenBucket } from '../../http/rate-limit.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Logger } from '../../log/logger.ts';
import { redact, registerSecret } from '../../log/redact.ts';
import { systemClock } from '../../util/clock.ts';
import type { Clock } from '../../util/clock.ts';
import { ConnectorError } from '../types.ts';
import type {
  ChangeBatch,
  Connector,
  ConnectorInfo,
  CreateOptions,
  UpdateOptions,
  WebhookSubscriber,
} from '../types.ts';
import type { ConnectorDeps, CustomcrmConfig } from './config.ts';
import { createBatch, updateBatch } from './batch.ts';
import { createBody } from './create-body.ts';
import { toConnectorError } from './errors.ts';
import { FALLBACKS, fallbacksOf } from './fallbacks.ts';
import type { FallbackKey } from './fallbacks.ts';
import { associationCalls, associationProps, withAssociations } from './associations.ts';
import { findCreatedRecord } from './lookup.ts';
import { deepMerge } from './presets.ts';
import type { Listed } from './lookup.ts';
import {
  formatTimestamp,
  fromWire,
  getPath,
  idText,
  isTombstone,
  parseTimestamp,
  toWire,
} from './mapping.ts';
import type { Tombstone } from './mapping.ts';
import { listItems, paginate } from './paging.ts';
import type { PageQuery } from './paging.ts';
import type { CrmProfile } from './profile.ts';

export interface CustomcrmCapabilities {
  etag: boolean;
  idempotencyKeys: boolean;
  externalRefs: boolean;
  webhooks: boolean;
  modifiedSince: boolean;
}

export interface CustomcrmConnector extends Connector, WebhookSubscriber {
  readonly system: 'customcrm';
  readonly capabilities: CustomcrmCapabilities;
  readModifiedSince(type: RecordType, since: string | undefined): AsyncIterable<RemoteRecord | Tombstone>;
}

const TYPES: readonly CustomcrmType[] = ['Customer', 'Contact'];
/** Failures after which the server may or may not have acted on a create. */
const AMBIGUOUS = new Set(['TIMEOUT', 'NETWORK', 'BAD_RESPONSE', 'SERVER_ERROR']);
const CREATE_ATTEMPTS = 3;

export function httpAuthFor(profile: CrmProfile, token?: string, username?: string): HttpAuth {
  if (profile.auth.type === 'none') return { kind: 'none' };
  if (!token)
    throw new ConnectorError(
      'WRONG_TOKEN',
      'customcrm: no token is configured. Set customcrm.token (the bearer token, API key or password).',
      { system: 'customcrm' },
    );
  if (profile.auth.type === 'bearer') return { kind: 'bearer', token };
  if (profile.auth.type === 'header') return { kind: 'header', name: profile.auth.name, value: token };
  if (!username)
    throw new ConnectorError(
      'WRONG_TOKEN',
      'customcrm: profile.auth is basic but no username is configured. Set customcrm.username.',
      { system: 'customcrm' },
    );
  return { kind: 'basic', username, password: token };
}

export function createCustomcrmConnector(
  config: CustomcrmConfig,
  deps: ConnectorDeps = {},
): CustomcrmConnector {
  return new CustomcrmConnectorImpl(config, deps);
}

class CustomcrmConnectorImpl implements CustomcrmConnector {
  readonly system = 'customcrm' as const;
  readonly capabilities: CustomcrmCapabilities;
  private readonly profile: CrmProfile;
  private readonly http: HttpClient;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly warned = new Set<FallbackKey>();
  /** A listed record had an id: a later one without is that record's fault, not the profile's. */
  private sawId = false;

  constructor(
    private readonly config: CustomcrmConfig,
    deps: ConnectorDeps,
  ) {
    this.profile = config.profile;
    this.logger = (deps.logger ?? silentLogger).child({ system: 'customcrm' });
    this.clock = deps.clock ?? systemClock;
    registerSecret(config.webhookSecret);
    this.http = new HttpClient({
      system: 'customcrm',
      baseUrl: config.url,
      auth: httpAuthFor(this.profile, config.token, config.username),
      timeoutMs: config.timeoutMs,
      ...(config.retry ? { retry: config.retry } : {}),
      rateLimiter: deps.rateLimiter ?? new TokenBucket(config.rateLimit, this.clock),
      concurrency: gateFor(config.rateLimit),
      logger: this.logger,
      clock: this.clock,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.onCall ? { onCall: deps.onCall } : {}),
    });
    const p = this.profile;
    this.capabilities = {
      etag: p.etag,
      idempotencyKeys: p.idempotencyKeys,
      externalRefs: p.externalRefs !== false,
      webhooks: p.webhooks,
      modifiedSince: p.modifiedSince !== false,
    };
  }

  /** Says once per connector that a capability is missing and which fallback is used. */
  private fallback(key: FallbackKey): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn('customcrm capability missing, using a fallback', {
      profile: this.profile.name,
      capability: key,
      fallback: FALLBACKS[key],
    });
  }

  private path(type: RecordType, id?: string): string {
    const base = type === 'Customer' ? this.profile.paths.customers : this.profile.paths.contacts;
    if (type !== 'Customer' && type !== 'Contact')
      throw new ConnectorError('UNSUPPORTED', `customcrm has no type ${type}; use Customer or Contact.`, {
        system: 'customcrm',
        type,
      });
    return id === undefined ? base : recordAddress(this.profile.recordPath, base, id);
  }

  private async call<T>(
    ctx: { type?: CustomcrmType; id?: string; action: string },
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toConnectorError(err, this.profile, ctx);
    }
  }

  private pages(type: CustomcrmType, query: PageQuery, signal?: AbortSignal) {
    const fixed = this.profile.listQuery[type];
    return paginate(this.profile.paging, this.profile.listPath, this.config.pageSize, async (q) => {
      const res = await this.call({ type, action: 'list' }, () =>
        this.http.get(this.path(type), { ...fixed, ...query, ...q }, signal ? { signal } : {}),
      );
      return { body: res.body, headers: res.headers };
    });
  }

  async verify(): Promise<ConnectorInfo> {
    try {
      const res = await this.http.get(this.path('Customer'), this.firstPageQuery());
      listItems(res.body, this.profile.listPath);
    } catch (err) {
      if (err instanceof HttpError && (err.code === 'NETWORK' || err.code === 'TIMEOUT'))
        throw new ConnectorError(
          'WRONG_URL',
          `customcrm: cannot connect to ${redact(this.config.url)} (${err.message.replace(/^customcrm: /, '')}). Check that the CRM is running and that customcrm.url is right.`,
          { system: 'customcrm', cause: err },
        );
      if (err instanceof HttpError && err.code === 'NOT_FOUND')
        throw new ConnectorError(
          'WRONG_URL',
          `customcrm: ${this.config.url} does not answer as a Customcrm API (${err.code}${err.status ? ` ${err.status}` : ''}). Check customcrm.url (the contract's root ends with /v1) and profile.paths.`,
          { system: 'customcrm', ...(err.status ? { status: err.status } : {}), cause: err },
        );
      throw toConnectorError(err, this.profile, { action: 'verify' });
    }
    const keys = fallbacksOf(this.profile);
    for (const k of keys) this.fallback(k);
    return { system: 'customcrm', mode: this.profile.name, fallbacks: keys.map((k) => FALLBACKS[k]) };
  }

  private firstPageQuery(): PageQuery {
    const p = this.profile.paging;
    if (p.style === 'cursor') return { [p.limitParam]: 1 };
    if (p.style === 'page') return { [p.pageParam]: 1, [p.sizeParam]: 1 };
    if (p.style === 'link') return { [p.limitParam]: 1 };
    return { [p.offsetParam]: 0, [p.limitParam]: 1 };
  }

  async *readAll(type: RecordType, opts?: { signal?: AbortSignal }): AsyncIterable<RemoteRecord> {
    const t = this.checkType(type);
    for await (const page of this.pages(t, {}, opts?.signal))
      for (const item of page.items) {
        const r = this.listed(t, item);
        if (r && !isTombstone(r)) yield r;
      }
  }

  /** A listed record; one without an id means the profile names the wrong id property. */
  private listed(type: CustomcrmType, item: Record<string, unknown>): RemoteRecord | Tombstone | null {
    const r = fromWire(this.profile, type, item);
    if (r.id !== '') {
      this.sawId = true;
      return r;
    }
    // One record without an id among others is that record's problem: skipped, said once per
    // read. Without any id so far it is the profile's: the read fails and names the key.
    if (this.sawId) {
      this.logger.warn('customcrm: a listed record has no id; it is skipped', {
        type,
        idProperty: this.profile.idProperty,
      });
      return null;
    }
    throw new ConnectorError(
      'BAD_RESPONSE',
      `customcrm: a listed ${type} has no id in "${this.profile.idProperty}" (its properties: ${Object.keys(item).slice(0, 12).join(', ')}). Set profile.idProperty to the CRM's id property.`,
      { system: 'customcrm', type, property: this.profile.idProperty },
    );
  }

  async *readModifiedSince(
    type: RecordType,
    since: string | undefined,
  ): AsyncIterable<RemoteRecord | Tombstone> {
    const t = this.checkType(type);
    const ms = this.profile.modifiedSince;
    if (!ms) {
      this.fallback('modifiedSince');
      yield* this.readAll(t);
      return;
    }
    for await (const page of this.pages(t, this.incrementalQuery(since)))
      for (const item of page.items) {
        const r = this.listed(t, item);
        if (r) yield r;
      }
  }

  private incrementalQuery(since: string | undefined): PageQuery {
    const ms = this.profile.modifiedSince;
    if (!ms) return {};
    const q: PageQuery = {};
    if (since !== undefined) q[ms.param] = formatTimestamp(since, ms.format);
    if (ms.includeDeletedParam) q[ms.includeDeletedParam] = 'true';
    return q;
  }

  private serverTime(headers: Headers, readStart: number): string {
    const name = this.profile.serverTimeHeader;
    const value = name ? parseTimestamp(headers.get(name), this.profile.timestamps) : undefined;
    if (!value) this.fallback('serverTime');
    return value ?? new Date(readStart).toISOString();
  }

  async changesSince(watermark: string | undefined, opts?: { signal?: AbortSignal }): Promise<ChangeBatch> {
    const started = this.clock.now();
    if (!this.profile.modifiedSince) {
      this.fallback('modifiedSince');
      return { changes: [], watermark: watermark ?? new Date(started).toISOString(), complete: false };
    }
    if (watermark === undefined) {
      const res = await this.call({ type: 'Customer', action: 'list' }, () =>
        this.http.get(
          this.path('Customer'),
          this.firstPageQuery(),
          opts?.signal ? { signal: opts.signal } : {},
        ),
      );
      return { changes: [], watermark: this.serverTime(res.headers, started), complete: true };
    }
    const changes: ChangeBatch['changes'] = [];
    let next: string | undefined;
    for (const type of TYPES)
      for await (const page of this.pages(type, this.incrementalQuery(watermark), opts?.signal)) {
        next ??= this.serverTime(page.headers, started);
        for (const item of page.items) {
          const r = this.listed(type, item);
          if (!r) continue;
          const at = r.updatedAt !== undefined ? { at: r.updatedAt } : {};
          changes.push(
            isTombstone(r)
              ? { type, id: r.id, op: 'delete', ...at }
              : { type, id: r.id, op: 'upsert', record: r, ...at },
          );
        }
      }
    return { changes, watermark: next ?? new Date(started).toISOString(), complete: true };
  }

  async read(type: RecordType, id: string): Promise<RemoteRecord | null> {
    const t = this.checkType(type);
    const res = await this.call({ type: t, id, action: 'read' }, () =>
      this.http.get(this.path(t, id), this.readQuery(t), { allowStatus: [404, 410] }),
    );
    if (res.status === 404 || res.status === 410) return null;
    const wire = this.singleWire(t, res, id);
    if (!wire) return null;
    const r = this.recordFrom(t, { ...res, body: wire }, id, 'read');
    return isTombstone(r) ? null : r;
  }

  /**
   * The record a record address answered: the object itself, or, where records are addressed by
   * a query (`{path}?id=eq.{id}`), the one item of the list with that id (none → null).
   */
  private singleWire(type: CustomcrmType, res: HttpResponse, id: string): Record<string, unknown> | null {
    const body = res.body;
    const list = Array.isArray(body)
      ? body
      : this.profile.listPath !== ''
        ? getPath(body, this.profile.listPath)
        : undefined;
    if (!Array.isArray(list)) {
      if (body && typeof body === 'object') return body as Record<string, unknown>;
      this.recordFrom(type, res, id, 'read'); // throws BAD_RESPONSE, naming the record
      return null;
    }
    const hit = list.find(
      (x): x is Record<string, unknown> =>
        !!x &&
        typeof x === 'object' &&
        idText((x as Record<string, unknown>)[this.profile.idProperty]) === id,
    );
    return hit ?? null;
  }

  private readQuery(type: CustomcrmType): PageQuery | undefined {
    const q = this.profile.readQuery[type];
    return Object.keys(q).length > 0 ? q : undefined;
  }

  /** The record as the CRM holds it, unmapped (for a PUT of the whole record). */
  private async readWire(type: CustomcrmType, id: string): Promise<Record<string, unknown>> {
    const res = await this.call({ type, id, action: 'read' }, () =>
      this.http.get(this.path(type, id), this.readQuery(type), { allowStatus: [404, 410] }),
    );
    const wire = res.status === 404 || res.status === 410 ? null : this.singleWire(type, res, id);
    if (!wire)
      throw new ConnectorError('NOT_FOUND', `customcrm: update ${type} ${id}: not found (deleted?).`, {
        system: 'customcrm',
        type,
        record: id,
      });
    return wire;
  }

  private recordFrom(
    type: CustomcrmType,
    res: HttpResponse,
    id: string,
    action: string,
  ): RemoteRecord | Tombstone {
    const body = res.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new ConnectorError(
        'BAD_RESPONSE',
        `customcrm: ${action} ${type} ${id} answered HTTP ${res.status} without a record. Check profile.paths.`,
        { system: 'customcrm', type, record: id, status: res.status },
      );
    return fromWire(
      this.profile,
      type,
      body as Record<string, unknown>,
      this.profile.etag ? res.headers.get('etag') : null,
    );
  }

  private asRecord(r: RemoteRecord | Tombstone): RemoteRecord {
    if (isTombstone(r))
      throw new ConnectorError('NOT_FOUND', `customcrm: ${r.type} ${r.id} is deleted.`, {
        system: 'customcrm',
        type: r.type,
        record: r.id,
      });
    return r;
  }

  async create(type: RecordType, props: Props, opts: CreateOptions): Promise<RemoteRecord> {
    const t = this.checkType(type);
    const created = await this.createRecord(t, props, opts);
    const linked = associationProps(this.profile, t, props);
    if (linked.length === 0) return created;
    const values = Object.fromEntries(linked.map((k) => [k, props[k] ?? null]));
    await this.associate(t, created.id, values, {});
    return withAssociations(created, values);
  }

  private async createRecord(t: CustomcrmType, props: Props, opts: CreateOptions): Promise<RemoteRecord> {
    const body = createBody(this.profile, t, props, opts);
    if (!this.profile.externalRefs) this.fallback('externalRefs');
    const post = (idempotent: boolean) =>
      this.http.request({
        method: 'POST',
        path: this.path(t),
        body,
        idempotent,
        ...(this.profile.idempotencyKeys ? { headers: { 'Idempotency-Key': opts.idempotencyKey } } : {}),
      });
    const ctx = { type: t, action: 'create' };
    if (this.profile.idempotencyKeys) {
      const res = await this.call(ctx, () => post(true));
      return this.afterCreate(t, res);
    }
    this.fallback('idempotencyKeys');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.afterCreate(t, await post(false));
      } catch (err) {
        if (!(err instanceof HttpError && AMBIGUOUS.has(err.code)) || attempt >= CREATE_ATTEMPTS)
          throw toConnectorError(err, this.profile, ctx);
        this.logger.info('create failed ambiguously; looking before creating again', {
          type: t,
          code: err.code,
          attempt,
        });
        const found = await this.findCreated(t, props, opts.externalRef);
        if (found) return found;
      }
    }
  }

  batchSize(): number {
    return this.profile.batch && !this.warned.has('batch') ? this.profile.batch.maxItems : 0;
  }

  /** Batch create (./batch.ts); undefined once the CRM turned out to have no batch endpoint. */
  async createMany(
    type: RecordType,
    items: ReadonlyArray<{ props: Props; opts: CreateOptions }>,
  ): Promise<Array<RemoteRecord | Error> | undefined> {
    const t = this.checkType(type);
    if (this.batchSize() === 0) return undefined;
    // Associations are set one call each after a create (associations.ts): single creates do it.
    if (Object.keys(this.profile.associations[t]).length > 0) return undefined;
    if (!this.profile.externalRefs) this.fallback('externalRefs');
    const results = await createBatch(
      { http: this.http, profile: this.profile, path: this.path(t) },
      t,
      items,
    );
    if (!results) this.fallback('batch');
    return results;
  }

  /**
   * Batch update (./batch.ts) of plain patches. Undefined (update one by one) when the CRM has
   * no batch endpoint, updates with PUT (the whole record is sent), has no ETags while a version
   * is to be checked (read and compared first), or a patch sets associations (calls of their own).
   */
  async updateMany(
    type: RecordType,
    items: ReadonlyArray<{ id: string; patch: Props; opts?: UpdateOptions }>,
  ): Promise<Array<RemoteRecord | Error> | undefined> {
    const t = this.checkType(type);
    if (this.batchSize() === 0 || this.profile.updateMethod === 'PUT') return undefined;
    if (!this.profile.etag && items.some((it) => it.opts?.ifMatch !== undefined)) return undefined;
    if (items.some((it) => associationProps(this.profile, t, it.patch).length > 0)) return undefined;
    const results = await updateBatch(
      { http: this.http, profile: this.profile, path: this.path(t) },
      t,
      items,
    );
    if (!results) this.fallback('batch');
    return results;
  }

  private async afterCreate(type: CustomcrmType, res: HttpResponse): Promise<RemoteRecord> {
    const location = res.headers.get('location');
    if ((!res.body || typeof res.body !== 'object') && location) {
      const id = decodeURIComponent(location.replace(/\/+$/, '').split('/').pop() ?? '');
      const r = await this.read(type, id);
      if (r) return r;
    }
    return this.asRecord(this.recordFrom(type, res, '(new)', 'create'));
  }

  async update(type: RecordType, id: string, patch: Props, opts?: UpdateOptions): Promise<RemoteRecord> {
    const t = this.checkType(type);
    const linked = associationProps(this.profile, t, patch);
    if (linked.length === 0) return this.updateRecord(t, id, patch, opts);
    const values = Object.fromEntries(linked.map((k) => [k, patch[k] ?? null]));
    const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => !linked.includes(k)));
    const before = await this.read(t, id);
    if (!before)
      throw new ConnectorError('NOT_FOUND', `customcrm: update ${t} ${id}: not found (deleted?).`, {
        system: 'customcrm',
        type: t,
        record: id,
      });
    // Without ETags the record just read is the comparison; updateRecord need not read it again.
    const ifMatch = this.profile.etag ? undefined : opts?.ifMatch;
    const checked = ifMatch !== undefined;
    if (checked) {
      this.fallback('etag');
      if (before.version !== ifMatch) throw staleError(t, id, ifMatch, before.version);
    }
    const after =
      Object.keys(rest).length > 0
        ? await this.updateRecord(t, id, rest, checked ? undefined : opts)
        : before;
    await this.associate(t, id, values, before.props);
    return withAssociations(after, values);
  }

  /** The association calls that bring `values` about (see associations.ts). */
  private async associate(t: CustomcrmType, id: string, values: Props, old: Props): Promise<void> {
    for (const [prop, value] of Object.entries(values))
      for (const c of associationCalls(this.profile, t, id, prop, value, old[prop]))
        await this.call({ type: t, id, action: `set ${prop}` }, () =>
          this.http.request({
            method: c.method,
            path: c.path,
            ...(c.method === 'DELETE' ? { allowStatus: [404] } : {}),
          }),
        );
  }

  private async updateRecord(
    t: CustomcrmType,
    id: string,
    patch: Props,
    opts?: UpdateOptions,
  ): Promise<RemoteRecord> {
    const headers: Record<string, string> = {};
    const method = this.profile.updateMethod;
    let body = toWire(this.profile, patch, t);
    if (opts?.ifMatch !== undefined && this.profile.etag) headers['If-Match'] = `"${opts.ifMatch}"`;
    if ((opts?.ifMatch !== undefined && !this.profile.etag) || method === 'PUT') {
      // Without ETags: read again and compare the version read before (STALE when it changed).
      // A PUT sends the whole record: the one just read with the changes on top.
      if (!this.profile.etag && opts?.ifMatch !== undefined) this.fallback('etag');
      const wire = await this.readWire(t, id);
      if (!this.profile.etag && opts?.ifMatch !== undefined) {
        const current = fromWire(this.profile, t, wire);
        if (current.version !== opts.ifMatch) throw staleError(t, id, opts.ifMatch, current.version);
      }
      if (method === 'PUT') body = deepMerge(wire, body);
    }
    try {
      const res = await this.http.request({
        method,
        path: this.path(t, id),
        body,
        headers,
      });
      const wire = res.body && typeof res.body === 'object' ? this.singleWire(t, res, id) : null;
      if (wire) return this.asRecord(this.recordFrom(t, { ...res, body: wire }, id, 'update'));
      const after = await this.read(t, id);
      if (!after)
        throw new ConnectorError('NOT_FOUND', `customcrm: ${t} ${id} vanished after the update.`, {
          system: 'customcrm',
          type: t,
          record: id,
        });
      return after;
    } catch (err) {
      // A retried PATCH whose first attempt was applied meets its own version bump as a 412.
      if (err instanceof HttpError && err.code === 'PRECONDITION_FAILED' && (err.details.attempts ?? 1) > 1) {
        const current = await this.read(t, id);
        if (
          current &&
          Object.entries(patch).every(([k, v]) => JSON.stringify(current.props[k]) === JSON.stringify(v))
        )
          return current;
      }
      throw toConnectorError(err, this.profile, { type: t, id, action: 'update' });
    }
  }

  async delete(type: RecordType, id: string): Promise<void> {
    const t = this.checkType(type);
    // Already gone is what a delete wants (and what a retried delete meets).
    await this.call({ type: t, id, action: 'delete' }, () =>
      this.http.request({ method: 'DELETE', path: this.path(t, id), allowStatus: [404, 410] }),
    );
  }

  async findCreated(
    type: RecordType,
    props: Props,
    ref: ExternalRef,
    opts?: { taken?: (id: string) => Promise<boolean> },
  ): Promise<RemoteRecord | null> {
    const t = this.checkType(type);
    if (!this.profile.externalRefs) this.fallback('externalRefs');
    return findCreatedRecord({
      profile: this.profile,
      type: t,
      props,
      ref,
      list: (query) => this.listFiltered(t, query),
      ...(opts?.taken ? { taken: opts.taken } : {}),
    });
  }

  private async *listFiltered(type: CustomcrmType, query: PageQuery): AsyncIterable<Listed> {
    for await (const page of this.pages(type, query))
      for (const item of page.items) {
        const r = this.listed(type, item);
        if (r && !isTombstone(r)) yield { record: r, wire: item };
      }
  }

  async subscribeWebhooks(callbackUrl: string): Promise<void> {
    if (!this.profile.webhooks) {
      this.fallback('webhooks');
      throw new ConnectorError(
        'UNSUPPORTED',
        'customcrm: this CRM has no webhooks (profile.webhooks is false); Tandem polls instead.',
        { system: 'customcrm' },
      );
    }
    const secret = this.config.webhookSecret;
    if (!secret)
      throw new ConnectorError(
        'UNSUPPORTED',
        'customcrm: set customcrm.webhookSecret to subscribe to webhooks.',
        { system: 'customcrm' },
      );
    const path = this.profile.paths.webhooks;
    const ctx = { action: 'subscribe webhooks' };
    const res = await this.call(ctx, () => this.http.get(path));
    const existing = listItems(res.body, this.profile.listPath).find((w) => w.Url === callbackUrl);
    if (existing) return;
    await this.call(ctx, () =>
      this.http.request({
        method: 'POST',
        path,
        body: { Url: callbackUrl, Events: ['*'], Secret: secret },
        idempotent: false,
      }),
    );
  }

  private checkType(type: RecordType): CustomcrmType {
    if (type === 'Customer' || type === 'Contact') return type;
    throw new ConnectorError('UNSUPPORTED', `customcrm has no type ${type}; use Customer or Contact.`, {
      system: 'customcrm',
      type,
    });
  }
}

/** A record's address from the profile's template: `{path}/{id}`, `{path}?id=eq.{id}`... */
export function recordAddress(template: string, path: string, id: string): string {
  return template.replaceAll('{path}', path).replaceAll('{id}', encodeURIComponent(id));
}

function staleError(
  type: CustomcrmType,
  id: string,
  expected: string,
  actual: string | undefined,
): ConnectorError {
  return new ConnectorError(
    'STALE',
    `customcrm: update ${type} ${id}: the record changed since it was read (version ${expected}, now ${actual ?? 'unknown'}). Read it again and retry.`,
    { system: 'customcrm', type, record: id },
  );
}
