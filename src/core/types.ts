/**
 * The plain data the pure sync core works on. Connectors produce RemoteRecords; the core
 * never imports a connector, the store or the engine.
 */

export type SystemName = 'youtrack' | 'customcrm';

/** Values of mapped properties. Arrays hold ids (memberships); null means "no value". */
export type PropValue = string | number | boolean | null | readonly string[];
export type Props = Readonly<Record<string, PropValue>>;

/** YouTrack datatypes as the connector exposes them. "Group" is one Hub group: the Groups and Usergroups views joined by ringId. */
export type YouTrackType = 'User' | 'Group' | 'Organization';
export type CustomcrmType = 'Customer' | 'Contact';
export type RecordType = YouTrackType | CustomcrmType;

/**
 * The flows of the dataflow. The dataflow's Groups and Usergroups are two views of one Hub group
 * (joined by ringId) and one group must be one Customer, so both are the single flow 'groups'.
 */
export type FlowName = 'organizations' | 'groups' | 'users';

export interface ExternalRef {
  System: string;
  Type: string;
  Id: string;
}

export interface RemoteRecord {
  system: SystemName;
  type: RecordType;
  /** Stable id in its system: the Hub UUID for YouTrack records, `Id` for Customcrm. */
  id: string;
  /** Property values under the system's own names (flattened: `email`, not `profile.email.email`). */
  props: Props;
  /** Content hash of `props` without volatile fields; equal hashes mean "nothing changed". */
  hash: string;
  /** Optimistic-concurrency version (ETag) where the system has one. */
  version?: string;
  /** Last modification time (ISO 8601) where the system records one. */
  updatedAt?: string;
  /** Other ids the record is known by, e.g. `{ youtrackId: '1-6' }`. */
  aliases?: Readonly<Record<string, string>>;
  externalRefs?: readonly ExternalRef[];
  /**
   * Customcrm: the YouTrack id the CRM's reference property holds (`profile.referenceProperty`,
   * written by Tandem when it created the record), for CRMs without ExternalRefs.
   */
  originId?: string;
}

/** A change seen on one side since a watermark. */
export interface RecordChange {
  type: RecordType;
  id: string;
  op: 'upsert' | 'delete';
  /** Present for upserts when the connector already fetched the record. */
  record?: RemoteRecord;
  /** When the change happened, if the system says. */
  at?: string;
}
