import type { CallInfo } from '../http/client.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { createYouTrackConnector } from '../connectors/youtrack/index.ts';
import { createCustomcrmConnector } from '../connectors/customcrm/index.ts';
import type { Connector } from '../connectors/types.ts';
import type { ConnectorDeps } from '../connectors/youtrack/index.ts';
import { defaultMapping, loadMapping, withNameSplit, type MappingConfig } from '../core/mapping.ts';
import type { FlowPolicy } from '../core/planner.ts';
import type { FlowName, SystemName } from '../core/types.ts';
import type { ConnectionConfig } from '../config/schema.ts';
import type { Metrics } from './metrics.ts';

/** Flows run in this order: Customers first, so a Contact's CustomerId can point at a linked Customer. */
export const FLOW_ORDER: readonly FlowName[] = ['organizations', 'groups', 'users'];

/**
 * One connection, ready to run: its two connectors, the mapping and the link policies. The engine
 * sees the connectors through the `Connector` interface only; the extras a system may offer
 * (webhooks, the token's own user) are asked for with the guards in connectors/types.ts.
 */
export interface ConnectionRuntime {
  name: string;
  config: ConnectionConfig;
  youtrack: Connector;
  customcrm: Connector;
  mapping: MappingConfig;
  policies: Record<FlowName, FlowPolicy>;
}

export interface RuntimeDeps {
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  /** A limiter per system shared beyond this process; without it each connector keeps its own bucket. */
  rateLimiter?: (connection: ConnectionConfig, system: SystemName) => RateLimiter;
  /** Makes the connectors; the HTTP connectors of connectors/ unless a test or a bench gives others. */
  connectors?: ConnectorFactory;
}

/** What a connector is built with: the connection's settings and the shared plumbing. */
export type ConnectorFactory = (
  connection: ConnectionConfig,
  system: SystemName,
  deps: ConnectorDeps & { logger: Logger; clock: Clock },
) => Connector;

export const httpConnectors: ConnectorFactory = (connection, system, deps) =>
  system === 'youtrack'
    ? createYouTrackConnector(connection.youtrack, deps)
    : createCustomcrmConnector(connection.customcrm, deps);

export function policiesFor(config: ConnectionConfig): Record<FlowName, FlowPolicy> {
  const s = config.sync;
  const common = {
    deletes: s.deletes,
    approveDeletes: s.approveDeletes,
    priority: s.priority,
    includeGroups: s.includeGroups,
  };
  return {
    organizations: {
      ...common,
      toCustomcrm: s.mergeOrganizationsByName ? 'merge-then-create' : 'create',
      // A new Customer becomes a group (dataflow: "a new Customer creates a YouTrack group"), so the
      // organization flow only links existing Customers by name, and only when asked to.
      toYouTrack: s.mergeOrganizationsByName ? 'merge-only' : 'none',
      mergeByName: s.mergeOrganizationsByName,
    },
    groups: {
      ...common,
      toCustomcrm: s.mergeGroupsByName ? 'merge-then-create' : 'create',
      toYouTrack: s.mergeGroupsByName ? 'merge-then-create' : 'create',
      mergeByName: s.mergeGroupsByName,
    },
    users: {
      ...common,
      toCustomcrm: 'merge-then-create',
      toYouTrack: s.createUsersInYouTrack ? 'merge-then-create' : 'merge-only',
      mergeByName: false,
    },
  };
}

export function createConnectionRuntime(config: ConnectionConfig, deps: RuntimeDeps): ConnectionRuntime {
  const clock = deps.clock ?? systemClock;
  const onCall = (info: CallInfo) => {
    const labels = {
      connection: config.name,
      system: info.system,
      status: String(info.status ?? info.code ?? ''),
    };
    deps.metrics?.inc('tandem_api_calls_total', 'API calls per system and status', labels);
    if (info.attempt > 1)
      deps.metrics?.inc('tandem_api_retries_total', 'Retried API calls', {
        connection: config.name,
        system: info.system,
      });
    if (!info.expected && (info.status === undefined || info.status >= 400))
      deps.metrics?.inc('tandem_api_errors_total', 'Failed API calls per system', {
        connection: config.name,
        system: info.system,
      });
  };
  const logger = deps.logger.child({ connection: config.name });
  const make = deps.connectors ?? httpConnectors;
  const connector = (system: SystemName) =>
    make(config, system, {
      logger: logger.child({ system }),
      clock,
      onCall,
      ...limiter(deps, config, system),
    });
  return {
    name: config.name,
    config,
    youtrack: connector('youtrack'),
    customcrm: connector('customcrm'),
    mapping: withNameSplit(
      config.mapping === undefined ? defaultMapping : loadMapping(config.mapping),
      config.sync.nameSplit,
    ),
    policies: policiesFor(config),
  };
}

function limiter(
  deps: RuntimeDeps,
  config: ConnectionConfig,
  system: SystemName,
): { rateLimiter?: RateLimiter } {
  return deps.rateLimiter ? { rateLimiter: deps.rateLimiter(config, system) } : {};
}
