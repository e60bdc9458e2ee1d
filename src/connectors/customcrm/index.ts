/** The Customcrm connector: the contract by default, any CRM shape through a validated profile. */
export { customcrmConfigSchema } from './config.ts';
export type { ConnectorDeps, CustomcrmConfig } from './config.ts';
export { createCustomcrmConnector } from './connector.ts';
export type { CustomcrmCapabilities, CustomcrmConnector } from './connector.ts';
export { contractProfile, crmProfileSchema, loadProfile, ProfileError } from './profile.ts';
export type { CrmProfile, ProfileIssue } from './profile.ts';
export type { Tombstone } from './mapping.ts';
export { isTombstone, contentHash } from './mapping.ts';
export { createWebhookReceiver, MemoryReplayCache, signWebhook } from './webhook.ts';
export type { ReplayCache, WebhookResult, WebhookReceiverOptions } from './webhook.ts';
export { runConformanceCheck } from './conformance.ts';
export type { ConformanceReport, CheckResult } from './conformance.ts';
