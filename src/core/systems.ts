import type { ExternalRef, FlowName, RecordType, SystemName } from './types.ts';

/**
 * What the rest of the code needs to know of each system, said once: the label people read, the
 * record type each flow reads and writes there, and the name an external reference carries when
 * it points at a record of this system (`ExternalRef.System`). Adding a third system starts here.
 */
export interface SystemInfo {
  readonly name: SystemName;
  /** In messages, logs and pages: "YouTrack", "Customcrm". */
  readonly label: string;
  /** The record type of each flow on this system (the default mapping's; see core/mapping.ts). */
  readonly types: Readonly<Record<FlowName, RecordType>>;
  /** `ExternalRef.System` of a reference to a record of this system. */
  readonly refName: string;
}

/** Literal types kept (`SYSTEMS.youtrack.types.users` is `'User'`), so typed tables derive from it. */
export const SYSTEMS = {
  youtrack: {
    name: 'youtrack',
    label: 'YouTrack',
    types: { organizations: 'Organization', groups: 'Group', users: 'User' },
    refName: 'YouTrack',
  },
  customcrm: {
    name: 'customcrm',
    label: 'Customcrm',
    types: { organizations: 'Customer', groups: 'Customer', users: 'Contact' },
    refName: 'Customcrm',
  },
} as const satisfies Record<SystemName, SystemInfo>;

export const SYSTEM_NAMES: readonly SystemName[] = ['youtrack', 'customcrm'];

/** The other side of a two-way sync. */
export function other(system: SystemName): SystemName {
  return system === 'youtrack' ? 'customcrm' : 'youtrack';
}

export function labelOf(system: SystemName): string {
  return SYSTEMS[system].label;
}

/** The record type a flow reads and writes on a system. */
export function recordTypeOf(flow: FlowName, system: SystemName): RecordType {
  return SYSTEMS[system].types[flow];
}

/** The external reference that points at a record of `system`. */
export function refTo(system: SystemName, type: RecordType, id: string): ExternalRef {
  return { System: SYSTEMS[system].refName, Type: type, Id: id };
}
