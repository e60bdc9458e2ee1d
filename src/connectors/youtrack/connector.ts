import type { ExternalRef, Props, RecordType, RemoteRecord } from '../../core/types.ts';
import { HttpClient } from '../../http/client.ts';
import { HttpError } from '../../http/errors.ts';
import { gateFor } from '../../http/concurrency.ts';
import { TokenBucket } from '../../http/rate-limit.ts';
import { silentLogger } from '../../log/logger.ts';
import { registerSecret } from '../../log/redact.ts';
import { systemClock } from '../../util/clock.ts';
import { ConnectorError } from '../types.ts';
import type {
  ChangeBatch,
  Connector,
  ConnectorDeps,
  ConnectorInfo,
  CreateOptions,
  TokenIdentity,
  UpdateOptions,
} from '../types.ts';
import { readAdministrators } from './admins.ts';
import { changesSince } from './changes.ts';
import type { YouTrackConfig } from './config.ts';
import type { ApiMode, Ctx } from './context.ts';
import { isAmbiguous, mapError } from './errors.ts';
import { IdMap } from './ids.ts';
import { OrganizationPoll } from './org-poll.ts';
import { changedOnly, idList, namedFields, requireLogin, requireName, userFields } from './props.ts';
import * as reads from './reads.ts';
import { detectMode, hubForgotOrganizations, verifyAccess } from './verify.ts';
import { YT } from './wire.ts';
import { hubWrites, youtrack2026Writes } from './writes.ts';
import type { Container, WritePath } from './writes.ts';

type YtType = 'User' | 'Group' | 'Organization';
const CREATE_ROUNDS = 3;

export class YouTrackConnector implements Connector, TokenIdentity {
  readonly system = 'youtrack' as const;
  private readonly ctx: Ctx;
  private current: ApiMode;
  private detected: Promise<ApiMode> | undefined;
  private readonly orgPoll = new OrganizationPoll();
  private tokenUser: string | undefined;
  private admins: string[] | undefined;
  private adminsWarned = false;

  constructor(
    private readonly config: YouTrackConfig,
    deps: ConnectorDeps = {},
  ) {
    registerSecret(config.token);
    const clock = deps.clock ?? systemClock;
    const logger = (deps.logger ?? silentLogger).child({ system: 'youtrack' });
    const http = new HttpClient({
      system: 'youtrack',
      baseUrl: config.url,
      auth: { kind: 'bearer', token: config.token },
      timeoutMs: config.timeoutMs,
      rateLimiter: deps.rateLimiter ?? new TokenBucket(config.rateLimit, clock),
      concurrency: gateFor(config.rateLimit),
      logger,
      clock,
      ...(config.retry ? { retry: config.retry } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.onCall ? { onCall: deps.onCall } : {}),
    });
    this.current = config.apiMode === '2026' ? '2026' : 'hub';
    if (config.apiMode !== 'auto') this.detected = Promise.resolve(this.current);
    this.ctx = {
      http,
      pageSize: config.pageSize,
      logger,
      mode: () => this.current,
      ids: {
        users: new IdMap(http, `${YT}/users`, config.pageSize),
        groups: new IdMap(http, `${YT}/groups`, config.pageSize),
        orgs: new IdMap(http, `${YT}/admin/organizations`, config.pageSize),
      },
      groupTypes: new Map(),
      recentUsers: new Map(),
      now: () => clock.now(),
    };
  }

  /** 'hub' or '2026'; with apiMode 'auto' it is known after verify() or the first call. */
  get mode(): ApiMode {
    return this.current;
  }

  private async ready(): Promise<ApiMode> {
    this.detected ??= detectMode(this.ctx.http).then(
      (m) => (this.current = m),
      (err: unknown) => {
        this.detected = undefined;
        throw mapError(err, { action: 'detect the API version (GET /api/admin/organizations)' });
      },
    );
    return this.detected;
  }

  /**
   * An instance may be upgraded to 2026.1 while Tandem runs: with apiMode 'auto' every full read
   * of organizations (the first flow of a full cycle) asks again, one call.
   */
  private async redetect(): Promise<void> {
    if (this.config.apiMode !== 'auto') return;
    const mode = await detectMode(this.ctx.http);
    if (mode === this.current) return;
    this.ctx.logger.info(
      `youtrack: the server now has the ${mode === '2026' ? '2026.1' : 'pre-2026.1'} API; switching`,
      {
        from: this.current,
        to: mode,
      },
    );
    this.current = mode;
    this.detected = Promise.resolve(mode);
  }

  private writes(): WritePath {
    return this.current === '2026' ? youtrack2026Writes(this.ctx) : hubWrites(this.ctx);
  }

  async verify(): Promise<ConnectorInfo> {
    const fallbacks = await verifyAccess(this.ctx.http);
    const server = await detectMode(this.ctx.http);
    if (this.config.apiMode === 'auto') {
      this.current = server;
      this.detected = Promise.resolve(server);
    } else if (server !== this.config.apiMode)
      fallbacks.push(
        `youtrack.apiMode is '${this.config.apiMode}' but the server has the ${server === '2026' ? '2026.1' : 'pre-2026.1'} API: set apiMode to 'auto'`,
      );
    if (this.current === '2026') {
      fallbacks.push(
        "Hub /events has no organization events on 2026.1: organizations are compared by content on every poll; users' organization memberships are read from Hub and cannot be written through the 2026.1 API",
      );
      if (await hubForgotOrganizations(this.ctx))
        fallbacks.push(
          'Hub lists no organizations although YouTrack has some: organizations made before the upgrade to 2026.1 cannot be matched to their Hub-era links by key; they are known by their YouTrack ids (set sync.mergeOrganizationsByName to link them by name)',
        );
    }
    return { system: 'youtrack', mode: this.current, fallbacks };
  }

  /**
   * The login of the token's own user (`GET /api/users/me`): an account the sync must never lock
   * out. A token belongs to one user for its life, so it is asked once per connector.
   */
  async tokenUserLogin(): Promise<string | undefined> {
    if (this.tokenUser !== undefined) return this.tokenUser;
    try {
      const me = await this.ctx.http.get(`${YT}/users/me`, { fields: 'id,login' });
      const login = (me.body as { login?: unknown } | null)?.login;
      if (typeof login !== 'string') return undefined;
      this.tokenUser = login;
      return login;
    } catch (err) {
      throw mapError(err, { action: 'read the token user (GET /api/users/me)' });
    }
  }

  /**
   * Logins holding Hub's System Admin role (`admins.ts`), read again when `refresh` (a full cycle)
   * and kept between; undefined while the server cannot tell, which is warned once.
   */
  async administratorLogins(opts: { refresh?: boolean } = {}): Promise<string[] | undefined> {
    if (this.admins !== undefined && !opts.refresh) return this.admins;
    await this.ready();
    const found = await readAdministrators(this.ctx).catch((err: unknown) => {
      throw mapError(err, { action: 'read the administrators (GET /hub/api/rest/roles)' });
    });
    if (found.logins) return (this.admins = found.logins);
    if (!this.adminsWarned)
      this.ctx.logger.warn(
        `YouTrack administrators cannot be told apart: ${found.problem ?? 'unknown'}; only the token's user and sync.protectedAccounts are protected`,
        { code: 'ADMINS_UNKNOWN' },
      );
    this.adminsWarned = true;
    return this.admins;
  }

  async *readAll(type: RecordType, opts: { signal?: AbortSignal } = {}): AsyncIterable<RemoteRecord> {
    const t = ytType(type);
    await this.ready();
    try {
      if (t === 'Organization') await this.redetect();
      if (t === 'User') yield* reads.readUsers(this.ctx, opts.signal);
      else if (t === 'Group') yield* reads.readGroups(this.ctx, opts.signal);
      else yield* reads.readOrganizations(this.ctx, opts.signal);
    } catch (err) {
      throw mapError(err, { action: `read all ${t}s`, type: t });
    }
  }

  async read(type: RecordType, id: string): Promise<RemoteRecord | null> {
    const t = ytType(type);
    await this.ready();
    try {
      if (t === 'User') return await reads.readUser(this.ctx, id);
      if (t === 'Group') return await reads.readGroup(this.ctx, id);
      return await reads.readOrganization(this.ctx, id);
    } catch (err) {
      throw mapError(err, { action: `read ${t}`, type: t, record: id });
    }
  }

  async changesSince(
    watermark: string | undefined,
    opts: { signal?: AbortSignal } = {},
  ): Promise<ChangeBatch> {
    const mode = await this.ready();
    try {
      const batch = await changesSince(
        this.ctx,
        watermark,
        {
          read: (type, id) => this.read(type, id),
          readAll: (type, signal) => this.readAll(type, signal ? { signal } : {}),
        },
        opts.signal,
      );
      if (mode !== '2026' || !batch.complete) return batch;
      const orgs = await this.orgPoll.changes(this.ctx, watermark === undefined, opts.signal);
      return { ...batch, changes: [...batch.changes.filter((c) => c.type !== 'Organization'), ...orgs] };
    } catch (err) {
      throw mapError(err, { action: 'read changes', api: 'hub' });
    }
  }

  async create(type: RecordType, props: Props, _opts?: CreateOptions): Promise<RemoteRecord> {
    const t = ytType(type);
    await this.ready();
    const path = this.writes();
    let id: string;
    if (t === 'User') {
      const login = requireLogin(props);
      const fields = { ...userFields(props), login };
      id = await this.createOnce(t, props, login, () => path.createUser(fields));
      if (this.current === 'hub') this.ctx.recentUsers.set(id, this.ctx.now());
      await this.syncMembers(id, [], idList(t, props, 'groups'), 'Group');
      await this.syncMembers(id, [], idList(t, props, 'organizations'), 'Organization');
    } else {
      const name = requireName(t, props);
      const fields = { ...namedFields(t, props), name };
      id = await this.createOnce(t, props, name, () => path.create(t, fields));
    }
    return this.readBack(t, id, 'create');
  }

  /**
   * Sends a create once; after an ambiguous failure (timeout, dropped connection, truncated
   * body, 5xx) it looks the record up by its natural key before sending again, so a retried
   * create never makes a second record. A "must be unique" answer after an ambiguous attempt
   * means our own earlier attempt went through: that record is returned. On a first attempt it
   * means the name was taken before: DUPLICATE, and the engine decides whether to link.
   */
  private async createOnce(
    t: YtType,
    props: Props,
    key: string,
    send: () => Promise<string>,
  ): Promise<string> {
    let ambiguous = false;
    for (let round = 1; ; round++) {
      try {
        return await send();
      } catch (err) {
        const mapped = mapError(err, { action: `create ${t}`, type: t, record: key });
        const duplicate = mapped instanceof ConnectorError && mapped.code === 'DUPLICATE';
        if (!isAmbiguous(err) && !(ambiguous && duplicate)) throw mapped;
        ambiguous = true;
        this.ctx.logger.warn('create outcome unknown; looking it up before trying again', {
          type: t,
          record: key,
          round,
        });
        const found = await this.findCreated(t, props);
        if (found) return found.id;
        if (round >= CREATE_ROUNDS) throw mapped;
      }
    }
  }

  async update(type: RecordType, id: string, patch: Props, opts: UpdateOptions = {}): Promise<RemoteRecord> {
    const t = ytType(type);
    const current = await this.read(t, id);
    if (!current) throw notFound(t, id, 'update');
    if (opts.ifMatch !== undefined && opts.ifMatch !== current.version)
      throw new ConnectorError(
        'STALE',
        `youtrack: ${t} ${id} changed since it was read; it will be re-planned from fresh data`,
        {
          system: 'youtrack',
          type: t,
          record: id,
        },
      );
    const path = this.writes();
    try {
      if (t === 'User') {
        const changed = changedOnly(userFields(patch), current.props);
        if (Object.keys(changed).length > 0) await path.updateUser(id, changed);
        await this.syncMembers(id, ids(current.props['groups']), idList(t, patch, 'groups'), 'Group');
        await this.syncMembers(
          id,
          ids(current.props['organizations']),
          idList(t, patch, 'organizations'),
          'Organization',
        );
      } else {
        const changed = changedOnly(namedFields(t, patch), current.props);
        if (Object.keys(changed).length > 0) await path.update(t, id, changed);
      }
    } catch (err) {
      throw mapError(err, { action: `update ${t}`, type: t, record: id });
    }
    return this.readBack(t, id, 'update');
  }

  /** Deleting a record that is already gone succeeds: the outcome the caller wanted holds. */
  async delete(type: RecordType, id: string): Promise<void> {
    const t = ytType(type);
    await this.ready();
    const path = this.writes();
    try {
      if (t === 'User') await path.deleteUser(id);
      else await path.remove(t, id);
    } catch (err) {
      if (err instanceof HttpError && err.code === 'NOT_FOUND') return;
      if (err instanceof ConnectorError && err.code === 'NOT_FOUND') return;
      // Not in YouTrack's /api: gone, unless Hub still has it (not passed on to YouTrack yet).
      if (err instanceof ConnectorError && err.code === 'STALE' && (await this.read(t, id)) === null) return;
      throw mapError(err, { action: `delete ${t}`, type: t, record: id });
    }
  }

  /** YouTrack stores no external refs: users are found by login, groups and organizations by name. */
  async findCreated(type: RecordType, props: Props, _ref?: ExternalRef): Promise<RemoteRecord | null> {
    const t = ytType(type);
    await this.ready();
    try {
      if (t === 'User') {
        const login = userFields(props).login;
        return login ? await reads.findUserByLogin(this.ctx, login) : null;
      }
      const name = namedFields(t, props).name;
      if (!name) return null;
      return t === 'Group'
        ? await reads.findGroupByName(this.ctx, name)
        : await reads.findOrganizationByName(this.ctx, name);
    } catch (err) {
      throw mapError(err, { action: `look up ${t}`, type: t });
    }
  }

  addMember(container: Container, containerId: string, userId: string): Promise<void> {
    return this.membership('addMember', `add user ${userId} to ${container}`, container, containerId, userId);
  }

  removeMember(container: Container, containerId: string, userId: string): Promise<void> {
    const action = `remove user ${userId} from ${container}`;
    return this.membership('removeMember', action, container, containerId, userId);
  }

  private async membership(
    edit: 'addMember' | 'removeMember',
    action: string,
    container: Container,
    containerId: string,
    userId: string,
  ): Promise<void> {
    await this.ready();
    try {
      await this.writes()[edit](container, containerId, userId);
    } catch (err) {
      throw mapError(err, { action, type: container, record: containerId });
    }
  }

  private async syncMembers(
    userId: string,
    have: string[],
    want: string[] | undefined,
    container: Container,
  ): Promise<void> {
    if (!want) return;
    for (const cid of want.filter((x) => !have.includes(x))) await this.addMember(container, cid, userId);
    for (const cid of have.filter((x) => !want.includes(x))) await this.removeMember(container, cid, userId);
  }

  private async readBack(t: YtType, id: string, action: string): Promise<RemoteRecord> {
    const rec = await this.read(t, id);
    if (!rec) throw notFound(t, id, action);
    return rec;
  }
}

function ids(v: Props[string] | undefined): string[] {
  return Array.isArray(v) ? [...(v as readonly string[])] : [];
}

function ytType(type: RecordType): YtType {
  if (type === 'User' || type === 'Group' || type === 'Organization') return type;
  throw new ConnectorError(
    'UNSUPPORTED',
    `youtrack: there is no YouTrack record type "${type}"; use User, Group or Organization`,
    {
      system: 'youtrack',
      type,
    },
  );
}

function notFound(t: YtType, id: string, action: string): ConnectorError {
  return new ConnectorError(
    'NOT_FOUND',
    `youtrack: ${action} ${t} ${id}: the record does not exist in YouTrack (deleted?); a full read will catch up`,
    {
      system: 'youtrack',
      type: t,
      record: id,
    },
  );
}

export function createYouTrackConnector(config: YouTrackConfig, deps?: ConnectorDeps): YouTrackConnector {
  return new YouTrackConnector(config, deps);
}
