import { randomBytes } from 'node:crypto';
import { registerSecret } from '../../log/redact.ts';
import { httpAuthFor, recordAddress } from './connector.ts';
import { FALLBACKS } from './fallbacks.ts';
import { getPath, toWire, wireName } from './mapping.ts';
import { nextLink } from './paging.ts';
import type { PageQuery } from './paging.ts';
import { contractProfile } from './profile.ts';
import type { CrmProfile } from './profile.ts';
import { evidence, isProblem, Probe } from './probe.ts';
import type { CheckStatus, ProbeResponse } from './probe.ts';
import { checkWebhookDelivery } from './conformance-webhook.ts';
import { checkBatch } from './conformance-batch.ts';

export type { CheckStatus } from './probe.ts';

export interface CheckResult {
  capability: string;
  required: boolean;
  status: CheckStatus;
  /** Status, header or body excerpt that shows it; never a secret. */
  evidence: string;
  /** What Tandem does instead when the capability is missing or wrong. */
  fallback?: string;
}

export interface ConformanceReport {
  url: string;
  profile: string;
  write: boolean;
  /** Every required capability passed (or, read-only, was not checked). */
  ok: boolean;
  checks: CheckResult[];
}

export interface ConformanceOptions {
  url: string;
  token: string;
  write: boolean;
  profile?: CrmProfile;
  username?: string;
  /** How long to wait for a webhook delivery to this machine (write mode). */
  webhookWaitMs?: number;
}

const CAPABILITIES: ReadonlyArray<[string, boolean, string?]> = [
  ['auth', true],
  ['list + paging', true],
  ['stable order', false],
  ['modifiedSince', false, FALLBACKS.modifiedSince],
  ['filter by email', false, 'e-mail lookups scan the full list'],
  ['filter by externalRef', false, 'reference lookups scan the full list (or use e-mail/name)'],
  ['read one', true],
  ['ETag/If-Match 412', false, FALLBACKS.etag],
  ['idempotency replay', false, FALLBACKS.idempotencyKeys],
  ['create', true],
  ['batch writes', false, FALLBACKS.batch],
  ['partial update', true],
  ['delete', false, 'deletes are not written to the CRM'],
  ['problem+json errors', false, 'errors are reported with their HTTP status and an excerpt of the body'],
  ['webhooks', false, FALLBACKS.webhooks],
];

type Found = Omit<CheckResult, 'capability' | 'required' | 'fallback'>;

/** Tests the behaviour of a Customcrm endpoint against the contract (never trusts /capabilities). */
export async function runConformanceCheck(opts: ConformanceOptions): Promise<ConformanceReport> {
  const profile = opts.profile ?? contractProfile;
  const found = new Map<string, Found>();
  const set = (capability: string, status: CheckStatus, ev: string) =>
    found.set(capability, { status, evidence: ev });
  const run = new Run(opts, profile, set);
  try {
    await run.all();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (!found.has('auth')) set('auth', 'wrong', `could not reach the API: ${msg}`);
  } finally {
    await run.cleanup();
  }
  const checks = CAPABILITIES.map(([capability, required, fallback]): CheckResult => {
    const f = found.get(capability) ?? {
      status: 'not-checked',
      evidence: opts.write ? 'not reached (an earlier check failed)' : 'read-only run; use --write',
    };
    const needsFallback = fallback && (f.status === 'missing' || f.status === 'wrong');
    return { capability, required, ...f, ...(needsFallback ? { fallback } : {}) };
  });
  const ok = checks.every((c) => !c.required || c.status === 'passed' || c.status === 'not-checked');
  return { url: opts.url, profile: profile.name, write: opts.write, ok, checks };
}

class Run {
  private readonly probe: Probe;
  private readonly marker = `tandem-conformance-${randomBytes(4).toString('hex')}`;
  private readonly owned: Array<{ path: string; id: string }> = [];
  private own: { id: string; email: string; ref: string } | undefined;
  private refsRefused = false;

  constructor(
    private readonly opts: ConformanceOptions,
    private readonly profile: CrmProfile,
    private readonly set: (capability: string, status: CheckStatus, evidence: string) => void,
  ) {
    this.probe = new Probe(opts.url, httpAuthFor(profile, opts.token, opts.username));
  }

  private get customers(): string {
    return this.profile.paths.customers;
  }

  /** A customer's address from profile.recordPath. */
  private at(id: string): string {
    return recordAddress(this.profile.recordPath, this.customers, id);
  }

  /** The record a record address answered: the body, or the item with that id of a list. */
  private single(res: ProbeResponse, id: string): Record<string, unknown> | undefined {
    const list = Array.isArray(res.body) ? res.body : this.items(res);
    if (Array.isArray(list)) return list.find((i) => this.idOf(i as Record<string, unknown>) === id);
    return res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : undefined;
  }

  private items(res: ProbeResponse): Array<Record<string, unknown>> | undefined {
    const list = getPath(res.body, this.profile.listPath);
    return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : undefined;
  }

  private idOf(r: Record<string, unknown> | undefined): string | undefined {
    const v = r?.[this.profile.idProperty];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }

  private pageQuery(
    size: number,
    state: { cursor?: string; page: number; offset: number; link?: PageQuery },
  ): PageQuery {
    const p = this.profile.paging;
    if (p.style === 'cursor')
      return {
        [p.limitParam]: size,
        ...(state.cursor !== undefined ? { [p.cursorParam]: state.cursor } : {}),
      };
    if (p.style === 'page') return { [p.pageParam]: state.page, [p.sizeParam]: size };
    if (p.style === 'link') return state.link ?? { [p.limitParam]: size };
    return { [p.offsetParam]: state.offset, [p.limitParam]: size };
  }

  async all(): Promise<void> {
    if (!(await this.auth())) return;
    await this.problemErrors();
    if (this.opts.write) await this.create();
    await checkBatch({
      probe: this.probe,
      profile: this.profile,
      write: this.opts.write,
      marker: this.marker,
      set: this.set,
      keep: (id) => this.keep(this.customers, id),
      idOf: (r) => this.idOf(r),
    });
    const ids = await this.listAndPaging();
    if (ids) await this.stableOrder(ids);
    await this.readOne(this.own?.id ?? ids?.[0]);
    await this.modifiedSince(ids?.length ?? 0);
    await this.filterEmail();
    await this.filterExternalRef();
    if (this.opts.write && this.own) {
      await this.partialUpdate(this.own.id);
      await this.ifMatch(this.own.id);
      await this.webhooks(this.own.id);
      await this.remove(this.own.id);
    } else {
      this.set('idempotency replay', 'not-checked', 'read-only run; use --write');
      await this.webhooks(undefined);
    }
  }

  private async auth(): Promise<boolean> {
    const q = this.pageQuery(1, { page: 1, offset: 0 });
    const anon = await this.probe.request('GET', this.customers, { query: q, anonymous: true });
    const authed = await this.probe.request('GET', this.customers, { query: q });
    const ev = `without credentials: ${evidence(anon)}; with them: ${evidence(authed)}`;
    if (authed.status === 401 || authed.status === 403) {
      this.set('auth', 'wrong', `the credentials were refused – ${ev}`);
      return false;
    }
    if (authed.status !== 200) {
      this.set(
        'auth',
        'wrong',
        `the list did not answer 200 – ${ev}; check the URL and profile.paths.customers ("${this.customers}")${authed.status === 400 || authed.status === 422 ? ', profile.paging and profile.listQuery' : ''}`,
      );
      return false;
    }
    if (this.profile.auth.type === 'none')
      this.set('auth', 'passed', `profile.auth is none; the list answers 200 – ${evidence(authed)}`);
    else if (anon.status !== 401 && anon.status !== 403)
      this.set('auth', 'wrong', `answers without credentials – ${ev}`);
    else this.set('auth', 'passed', ev);
    return true;
  }

  private async problemErrors(): Promise<void> {
    const res = await this.probe.request('GET', this.at(`${this.marker}-missing`));
    if (res.status !== 404) {
      this.set(
        'problem+json errors',
        'wrong',
        `an unknown id answered ${evidence(res)}; expected 404 problem+json${res.status === 200 ? ' (if records are addressed by a query, check profile.recordPath)' : ''}`,
      );
      return;
    }
    if (!isProblem(res)) {
      this.set(
        'problem+json errors',
        'wrong',
        `404 is not application/problem+json with title and status: ${evidence(res)}`,
      );
      return;
    }
    if (!this.opts.write) {
      this.set('problem+json errors', 'passed', `unknown id: ${evidence(res)}`);
      return;
    }
    const bad = await this.probe.request('POST', this.customers, {
      body: { [wireName(this.profile, 'Name')]: this.marker, TandemUnknownProperty: 1 },
    });
    if (bad.status < 300) this.keep(this.customers, this.idOf(bad.body as Record<string, unknown>));
    const names = JSON.stringify((bad.body as { errors?: unknown } | undefined)?.errors ?? '').includes(
      'TandemUnknownProperty',
    );
    const ok = bad.status === 422 && isProblem(bad) && names;
    this.set(
      'problem+json errors',
      ok ? 'passed' : 'wrong',
      `unknown id: ${evidence(res)}; unknown property on create: ${evidence(bad)}${ok ? '' : ' – expected 422 problem+json naming TandemUnknownProperty in errors[]'}`,
    );
  }

  private keep(path: string, id: string | undefined): void {
    if (id) this.owned.push({ path, id });
  }

  private async create(): Promise<void> {
    const email = `${this.marker}@example.invalid`;
    const ref = `tandem-check:Customer:${this.marker}`;
    const props = {
      Name: this.marker,
      Email: email,
      City: 'Checkville',
      Description: 'created by tandem check',
    };
    const body = toWire(this.profile, props);
    if (this.profile.externalRefs)
      body[this.profile.externalRefs] = [{ System: 'tandem-check', Type: 'Customer', Id: this.marker }];
    const key = `${this.marker}-create`;
    const headers = { 'Idempotency-Key': key };
    let res = await this.probe.request('POST', this.customers, { body, headers });
    const refs = this.profile.externalRefs;
    if (refs && res.status === 422 && JSON.stringify(res.body).includes(refs)) {
      this.set('filter by externalRef', 'missing', `a create with ${refs} is refused: ${evidence(res)}`);
      this.refsRefused = true;
      delete body[refs];
      res = await this.probe.request('POST', this.customers, {
        body,
        headers: { 'Idempotency-Key': `${key}-norefs` },
      });
    }
    const id = this.idOf(res.body as Record<string, unknown>);
    this.keep(this.customers, id);
    if ((res.status !== 201 && res.status !== 200) || !id) {
      this.set(
        'create',
        'wrong',
        `${evidence(res)} – expected 201 with the record and its ${this.profile.idProperty}`,
      );
      return;
    }
    this.own = { id, email, ref };
    this.set('create', 'passed', evidence(res));
    await this.idempotency(body, headers, id);
    await this.fillForPaging();
  }

  private async idempotency(
    body: Record<string, unknown>,
    headers: Record<string, string>,
    id: string,
  ): Promise<void> {
    const again = await this.probe.request('POST', this.customers, { body, headers });
    const secondId = this.idOf(again.body as Record<string, unknown>);
    if (secondId && secondId !== id) this.keep(this.customers, secondId);
    const replayed = again.headers.get('idempotent-replayed');
    if (secondId === id)
      this.set(
        'idempotency replay',
        'passed',
        `same ${this.profile.idProperty} ${id} on replay; ${evidence(again)}; Idempotent-Replayed: ${replayed ?? '(absent)'}`,
      );
    else if (secondId)
      this.set(
        'idempotency replay',
        'missing',
        `the same Idempotency-Key created a second record ${secondId} (first ${id})`,
      );
    else this.set('idempotency replay', 'wrong', `replay answered ${evidence(again)}`);
  }

  /** Two more own records, so that paging with a page size of 2 crosses pages. */
  private async fillForPaging(): Promise<void> {
    for (const n of [1, 2]) {
      const res = await this.probe.request('POST', this.customers, {
        body: toWire(this.profile, { Name: `${this.marker}-${n}` }),
        headers: { 'Idempotency-Key': `${this.marker}-fill-${n}` },
      });
      this.keep(this.customers, this.idOf(res.body as Record<string, unknown>));
    }
  }

  /** Reads the customers with page size 2 (at most 50 pages); the ids in order, or undefined when broken. */
  private async readIds(): Promise<{ ids: string[]; pages: number; problem?: string }> {
    const state: { cursor?: string; page: number; offset: number; link?: PageQuery } = { page: 1, offset: 0 };
    const ids: string[] = [];
    for (let pages = 1; pages <= 50; pages++) {
      const res = await this.probe.request('GET', this.customers, {
        query: { ...this.profile.listQuery.Customer, ...this.pageQuery(2, state) },
      });
      const items = this.items(res);
      if (res.status !== 200 || !items)
        return {
          ids,
          pages,
          problem: `page ${pages}: ${evidence(res)} – no list at "${this.profile.listPath}"`,
        };
      if (items.length > 2)
        return {
          ids,
          pages,
          problem: `page ${pages} has ${items.length} records for a page size of 2: the server ignores the page size parameter; fix profile.paging`,
        };
      const missing = items.findIndex((i) => this.idOf(i) === undefined || this.idOf(i) === '');
      if (missing >= 0)
        return {
          ids,
          pages,
          problem: `page ${pages}: a record has no id in "${this.profile.idProperty}"; fix profile.idProperty`,
        };
      ids.push(...items.map((i) => this.idOf(i) ?? '?'));
      const p = this.profile.paging;
      if (p.style === 'cursor') {
        const next = getPath(res.body, p.nextCursorPath);
        if (next === null || next === undefined || next === '') return { ids, pages };
        state.cursor = String(next);
      } else if (p.style === 'link') {
        const next = nextLink(res.headers.get('link'));
        if (!next) return { ids, pages };
        state.link = next;
      } else {
        if (items.length < 2) return { ids, pages };
        state.page += 1;
        state.offset += items.length;
      }
    }
    return { ids, pages: 50 };
  }

  private async listAndPaging(): Promise<string[] | undefined> {
    const { ids, pages, problem } = await this.readIds();
    if (problem) {
      this.set('list + paging', 'wrong', problem);
      return undefined;
    }
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dupes.length) {
      this.set('list + paging', 'wrong', `pages repeat records: ${dupes.slice(0, 3).join(', ')}`);
      return undefined;
    }
    const crossed =
      pages > 1
        ? `${ids.length} records over ${pages} pages of 2, none repeated`
        : `${ids.length} record(s) in one page; paging not exercised`;
    this.set('list + paging', 'passed', `${this.profile.paging.style} paging: ${crossed}`);
    return ids;
  }

  private async stableOrder(first: string[]): Promise<void> {
    // With --write, an edit between the two reads: an order by modification time (or none, on a
    // server that moves edited rows) shows here, and offset paging over it skips and repeats.
    const edited =
      this.opts.write && this.own ? await this.editOwn('order probe by tandem check') : undefined;
    const { ids } = await this.readIds();
    const same = ids.length === first.length && ids.every((id, i) => id === first[i]);
    this.set(
      'stable order',
      same ? 'passed' : 'wrong',
      same
        ? `two reads gave the same ${ids.length} ids in the same order${edited ? `, with an edit of ${edited} between them` : ''}`
        : `two reads differ${edited ? ` after an edit of ${edited}` : ''}: [${first.slice(0, 5).join(', ')}] vs [${ids.slice(0, 5).join(', ')}] – set a stable sort order in profile.listQuery (e.g. _sort: id)`,
    );
  }

  private async readOne(id: string | undefined): Promise<void> {
    if (!id) {
      this.set('read one', 'not-checked', 'no record to read; run with --write');
      return;
    }
    const res = await this.probe.request('GET', this.at(id));
    const ok = res.status === 200 && this.idOf(this.single(res, id)) === id;
    this.set('read one', ok ? 'passed' : 'wrong', `GET ${id}: ${evidence(res)}`);
    const etag = res.headers.get('etag');
    if (!etag) this.set('ETag/If-Match 412', 'missing', `GET ${id} has no ETag header`);
    else if (!this.opts.write)
      this.set(
        'ETag/If-Match 412',
        'passed',
        `ETag: ${etag} (412 on a stale If-Match not checked read-only)`,
      );
  }

  private async modifiedSince(total: number): Promise<void> {
    const ms = this.profile.modifiedSince;
    if (!ms) {
      this.set('modifiedSince', 'missing', 'profile.modifiedSince is false');
      return;
    }
    const fmt = (iso: string) =>
      ms.format === 'iso' ? iso : String(ms.format === 'epoch-ms' ? Date.parse(iso) : Date.parse(iso) / 1000);
    const query = (iso: string) => ({ ...this.pageQuery(100, { page: 1, offset: 0 }), [ms.param]: fmt(iso) });
    const future = await this.probe.request('GET', this.customers, {
      query: query('2999-01-01T00:00:00.000Z'),
    });
    const past = await this.probe.request('GET', this.customers, {
      query: query('1970-01-02T00:00:00.000Z'),
    });
    const nFuture = this.items(future)?.length;
    const nPast = this.items(past)?.length;
    const header = this.profile.serverTimeHeader;
    const time = header ? future.headers.get(header) : null;
    const ev = `${ms.param}=2999: ${nFuture ?? evidence(future)} records; ${ms.param}=1970: ${nPast ?? evidence(past)} records; ${header ?? 'server time header'}: ${time ?? '(absent)'}`;
    if (future.status === 400 || future.status === 422)
      this.set('modifiedSince', 'missing', `the server refuses the parameter: ${evidence(future)}`);
    else if (nFuture === undefined || nPast === undefined)
      this.set('modifiedSince', 'wrong', `the filtered list is broken – ${ev}`);
    else if (nFuture > 0 && nFuture === nPast)
      this.set('modifiedSince', 'missing', `the parameter is ignored – ${ev}`);
    else if (nFuture > 0) this.set('modifiedSince', 'wrong', `a future date still returns records – ${ev}`);
    else if (total > 0 && nPast === 0)
      this.set('modifiedSince', 'wrong', `an old date hides every record – ${ev}`);
    else this.set('modifiedSince', 'passed', ev);
  }

  private async sample(property: 'Email' | 'ExternalRefs'): Promise<Record<string, unknown> | undefined> {
    const res = await this.probe.request('GET', this.customers, {
      query: this.pageQuery(100, { page: 1, offset: 0 }),
    });
    const wire = property === 'Email' ? wireName(this.profile, 'Email') : this.profile.externalRefs;
    if (!wire) return undefined;
    const ownId = this.own?.id;
    const items = this.items(res) ?? [];
    return (
      items.find((i) => this.idOf(i) === ownId) ??
      items.find((i) =>
        Array.isArray(i[wire]) ? i[wire].length > 0 : typeof i[wire] === 'string' && i[wire] !== '',
      )
    );
  }

  private async filterEmail(): Promise<void> {
    const param = this.profile.filters.email;
    if (!param) return this.set('filter by email', 'missing', 'profile.filters.email is false');
    const rec = await this.sample('Email');
    const email = rec?.[wireName(this.profile, 'Email')];
    if (typeof email !== 'string')
      return this.set('filter by email', 'not-checked', 'no customer with an e-mail; run with --write');
    const asked = ` ${email.toUpperCase()} `;
    const res = await this.probe.request('GET', this.customers, { query: { [param]: asked } });
    if (res.status === 400 || res.status === 422)
      return this.set('filter by email', 'missing', `the server refuses ${param}: ${evidence(res)}`);
    const items = this.items(res) ?? [];
    const match = (i: Record<string, unknown>) =>
      String(i[wireName(this.profile, 'Email')] ?? '')
        .trim()
        .toLowerCase() === email.trim().toLowerCase();
    const ok = items.length > 0 && items.every(match);
    this.set(
      'filter by email',
      ok ? 'passed' : 'wrong',
      `${param}="${asked}": ${items.length} record(s)${ok ? ', all with that e-mail' : ` – expected only records with ${email} (case-insensitive, trimmed); ${evidence(res)}`}`,
    );
  }

  private async filterExternalRef(): Promise<void> {
    if (this.refsRefused) return;
    const param = this.profile.filters.externalRef;
    const prop = this.profile.externalRefs;
    if (!param || !prop)
      return this.set(
        'filter by externalRef',
        'missing',
        'profile.filters.externalRef or profile.externalRefs is false',
      );
    const rec = await this.sample('ExternalRefs');
    const ref = (rec?.[prop] as Array<{ System: string; Type: string; Id: string }> | undefined)?.[0];
    if (!ref)
      return this.set(
        'filter by externalRef',
        'not-checked',
        'no customer with ExternalRefs; run with --write',
      );
    const value = `${ref.System}:${ref.Type}:${ref.Id}`;
    const res = await this.probe.request('GET', this.customers, { query: { [param]: value } });
    if (res.status === 400 || res.status === 422)
      return this.set('filter by externalRef', 'missing', `the server refuses ${param}: ${evidence(res)}`);
    const items = this.items(res) ?? [];
    const has = (i: Record<string, unknown>) =>
      JSON.stringify(i[prop] ?? []).includes(JSON.stringify(ref.Id));
    const ok = items.length > 0 && items.every(has);
    this.set(
      'filter by externalRef',
      ok ? 'passed' : 'wrong',
      `${param}=${value}: ${items.length} record(s)${ok ? '' : ` – expected only records holding that reference; ${evidence(res)}`}`,
    );
  }

  /** Edits the own record with the profile's update method; its id, or undefined when refused. */
  private async editOwn(description: string): Promise<string | undefined> {
    const id = this.own?.id;
    if (!id) return undefined;
    const res = await this.update(id, { Description: description });
    return res.status < 300 ? id : undefined;
  }

  /** An update as the connector sends it: PATCH/POST with the change, PUT with the whole record. */
  private async update(id: string, props: Record<string, string>, headers?: Record<string, string>) {
    const method = this.profile.updateMethod;
    let body = toWire(this.profile, props, 'Customer');
    if (method === 'PUT') {
      const current = await this.probe.request('GET', this.at(id));
      body = { ...(this.single(current, id) ?? {}), ...body };
    }
    return this.probe.request(method, this.at(id), { body, ...(headers ? { headers } : {}) });
  }

  private async partialUpdate(id: string): Promise<void> {
    const path = this.at(id);
    const method = this.profile.updateMethod;
    const res = await this.update(id, { Description: 'patched by tandem check' });
    const after = await this.probe.request('GET', path);
    const rec = this.single(after, id) ?? {};
    const kept =
      rec[wireName(this.profile, 'City')] === 'Checkville' &&
      rec[wireName(this.profile, 'Name')] === this.marker;
    const changed = rec[wireName(this.profile, 'Description')] === 'patched by tandem check';
    if (res.status >= 300) {
      let hint = '';
      if (method !== 'PUT' && (res.status === 404 || res.status === 405 || res.status === 501)) {
        const body = {
          ...rec,
          ...toWire(this.profile, { Description: 'patched by tandem check' }, 'Customer'),
        };
        const put = await this.probe.request('PUT', path, { body });
        if (put.status < 300)
          hint = ` – the server updates by PUT (PUT answered ${put.status}): set profile.updateMethod: PUT`;
      }
      this.set('partial update', 'wrong', `${method}: ${evidence(res)}${hint}`);
    } else if (!changed)
      this.set(
        'partial update',
        'wrong',
        `${method} answered ${res.status} but Description did not change: ${evidence(after)}`,
      );
    else if (!kept)
      this.set(
        'partial update',
        'wrong',
        `${method} of Description cleared other properties (Name, City): ${evidence(after)}${method === 'PATCH' ? ' – if the server replaces whole records, set profile.updateMethod: PUT' : ''}`,
      );
    else
      this.set(
        'partial update',
        'passed',
        `${method} Description: ${evidence(res)}; Name and City untouched`,
      );
  }

  private async ifMatch(id: string): Promise<void> {
    const path = this.at(id);
    const current = await this.probe.request('GET', path);
    const etag = current.headers.get('etag');
    if (!etag) return this.set('ETag/If-Match 412', 'missing', `GET ${id} has no ETag header`);
    const res = await this.update(
      id,
      { Description: 'stale write by tandem check' },
      {
        'If-Match': '"tandem-stale-version"',
      },
    );
    if (res.status === 412)
      this.set('ETag/If-Match 412', 'passed', `ETag: ${etag}; stale If-Match: ${evidence(res)}`);
    else
      this.set(
        'ETag/If-Match 412',
        'wrong',
        `ETag: ${etag} but a stale If-Match answered ${evidence(res)} – the ETag does not enforce If-Match, so a write would overwrite a concurrent edit; set profile.etag: false (Tandem then re-reads and compares before each update)`,
      );
  }

  private async webhooks(ownId: string | undefined): Promise<void> {
    const path = this.profile.paths.webhooks;
    const list = await this.probe.request('GET', path);
    if (list.status === 404 || list.status === 405)
      return this.set('webhooks', 'missing', `GET ${path}: ${evidence(list)}`);
    if (list.status !== 200 || !this.items(list))
      return this.set('webhooks', 'wrong', `GET ${path}: ${evidence(list)}`);
    if (!ownId)
      return this.set('webhooks', 'passed', `GET ${path}: HTTP 200 (delivery not checked read-only)`);
    const secret = randomBytes(16).toString('hex');
    registerSecret(secret);
    const result = await checkWebhookDelivery({
      probe: this.probe,
      path,
      secret,
      waitMs: this.opts.webhookWaitMs ?? 5000,
      trigger: () => this.update(ownId, { Description: 'webhook probe by tandem check' }),
      recordId: ownId,
      idProperty: this.profile.idProperty,
    });
    this.set('webhooks', result.status, result.evidence);
  }

  private async remove(id: string): Promise<void> {
    const path = this.at(id);
    const res = await this.probe.request('DELETE', path);
    const after = await this.probe.request('GET', path);
    const gone = res.status < 300 && (after.status === 404 || after.status === 410);
    this.set(
      'delete',
      gone ? 'passed' : 'wrong',
      `DELETE: ${evidence(res)}; GET afterwards: ${evidence(after)}`,
    );
  }

  async cleanup(): Promise<void> {
    for (const { path, id } of this.owned)
      await this.probe
        .request('DELETE', recordAddress(this.profile.recordPath, path, id))
        .catch(() => undefined);
  }
}
