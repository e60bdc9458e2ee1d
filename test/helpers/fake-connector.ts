import { createHash } from 'node:crypto';
import type {
  ChangeBatch,
  Connector,
  ConnectorInfo,
  CreateOptions,
  UpdateOptions,
} from '../../src/connectors/types.ts';
import { ConnectorError } from '../../src/connectors/types.ts';
import type {
  ExternalRef,
  Props,
  RecordChange,
  RecordType,
  RemoteRecord,
  SystemName,
} from '../../src/core/types.ts';

/**
 * A system held in memory behind the `Connector` interface, for engine tests that need no HTTP:
 * records by type and id, a change feed with a numeric watermark, external references kept on
 * create. It offers none of the optional extras (webhooks, batches, the token's user), so a test
 * on it also shows that the engine runs without them.
 */
export class FakeConnector implements Connector {
  private readonly records = new Map<string, RemoteRecord>();
  private readonly feed: RecordChange[] = [];
  private next = 1;
  /** Every write, in order, as `op type id`. */
  readonly writes: string[] = [];

  constructor(readonly system: SystemName) {}

  /** Puts a record in place as if someone had made it in the system (it shows in the feed). */
  put(type: RecordType, props: Props, id = `${this.system}-${this.next++}`): RemoteRecord {
    return this.store(type, id, props, undefined);
  }

  /** The records of a type, in id order, as the system holds them now. */
  all(type: RecordType): RemoteRecord[] {
    return [...this.records.values()].filter((r) => r.type === type).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  verify(): Promise<ConnectorInfo> {
    return Promise.resolve({ system: this.system, mode: 'fake', fallbacks: [] });
  }

  async *readAll(type: RecordType): AsyncIterable<RemoteRecord> {
    await Promise.resolve();
    yield* this.all(type);
  }

  read(type: RecordType, id: string): Promise<RemoteRecord | null> {
    const r = this.records.get(key(type, id));
    return Promise.resolve(r ?? null);
  }

  changesSince(watermark: string | undefined): Promise<ChangeBatch> {
    const from = watermark === undefined ? this.feed.length : Number(watermark);
    return Promise.resolve({
      changes: this.feed.slice(from),
      watermark: String(this.feed.length),
      complete: true,
    });
  }

  create(type: RecordType, props: Props, opts: CreateOptions): Promise<RemoteRecord> {
    const id = `${this.system}-${this.next++}`;
    this.writes.push(`create ${type} ${id}`);
    return Promise.resolve(this.store(type, id, props, [opts.externalRef]));
  }

  update(type: RecordType, id: string, patch: Props, opts?: UpdateOptions): Promise<RemoteRecord> {
    const current = this.records.get(key(type, id));
    if (!current)
      throw new ConnectorError('NOT_FOUND', `${this.system} ${type} ${id} does not exist`, {
        system: this.system,
        type,
        record: id,
      });
    if (opts?.ifMatch !== undefined && opts.ifMatch !== current.version)
      throw new ConnectorError('STALE', `${this.system} ${type} ${id} changed since it was read`, {
        system: this.system,
        type,
        record: id,
      });
    this.writes.push(`update ${type} ${id}`);
    return Promise.resolve(this.store(type, id, { ...current.props, ...patch }, current.externalRefs));
  }

  delete(type: RecordType, id: string): Promise<void> {
    this.writes.push(`delete ${type} ${id}`);
    this.records.delete(key(type, id));
    this.feed.push({ type, id, op: 'delete' });
    return Promise.resolve();
  }

  findCreated(type: RecordType, _props: Props, ref: ExternalRef): Promise<RemoteRecord | null> {
    const found = this.all(type).find((r) =>
      r.externalRefs?.some((x) => x.System === ref.System && x.Type === ref.Type && x.Id === ref.Id),
    );
    return Promise.resolve(found ?? null);
  }

  private store(
    type: RecordType,
    id: string,
    props: Props,
    externalRefs: readonly ExternalRef[] | undefined,
  ): RemoteRecord {
    const hash = createHash('sha256')
      .update(JSON.stringify(Object.entries(props).sort()))
      .digest('hex');
    const record: RemoteRecord = {
      system: this.system,
      type,
      id,
      props,
      hash,
      version: hash,
      ...(externalRefs ? { externalRefs } : {}),
    };
    this.records.set(key(type, id), record);
    this.feed.push({ type, id, op: 'upsert', record });
    return record;
  }
}

const key = (type: RecordType, id: string) => `${type}:${id}`;
