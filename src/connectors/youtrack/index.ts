export { youtrackConfigSchema } from './config.ts';
export type { YouTrackConfig } from './config.ts';
export { createYouTrackConnector, YouTrackConnector } from './connector.ts';
export type { ConnectorDeps } from '../types.ts';
export { hashProps } from './records.ts';
export type { GroupKind } from './records.ts';
