import { z } from 'zod';
import type { RetryPolicy } from '../../http/client.ts';
import { rateLimitOf, type TokenBucketOptions } from '../../http/rate-limit.ts';
import { crmProfileSchema } from './profile.ts';
import type { CrmProfile } from './profile.ts';

export interface CustomcrmConfig {
  /** Base URL, e.g. http://127.0.0.1:9222/v1 (the contract's /v1 root). */
  url: string;
  /** Bearer token, API key or basic-auth password, per `profile.auth`. */
  token?: string;
  /** For basic auth. */
  username?: string;
  /** Secret for webhook subscriptions and signatures. */
  webhookSecret?: string;
  profile: CrmProfile;
  pageSize: number;
  timeoutMs: number;
  rateLimit: TokenBucketOptions;
  retry?: Partial<RetryPolicy>;
}

const retrySchema = z
  .strictObject({
    maxAttempts: z.int().min(1),
    baseDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    maxRetryAfterMs: z.number().min(0),
  })
  .partial();

export const customcrmConfigSchema = z
  .strictObject({
    url: z.url(),
    token: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    webhookSecret: z.string().min(8).optional(),
    profile: crmProfileSchema.prefault({}),
    pageSize: z.int().min(1).max(1000).default(100),
    timeoutMs: z.int().min(100).default(30_000),
    rateLimit: z
      .strictObject({
        ratePerSecond: z.number().positive(),
        burst: z.int().min(1),
        adaptive: z.boolean().optional(),
        maxInFlight: z.int().min(1).max(256).optional(),
      })
      .default({ ratePerSecond: 50, burst: 20 }),
    retry: retrySchema.optional(),
  })
  .transform((c): CustomcrmConfig => {
    const out: CustomcrmConfig = {
      url: c.url,
      profile: c.profile,
      pageSize: c.pageSize,
      timeoutMs: c.timeoutMs,
      rateLimit: rateLimitOf(c.rateLimit),
    };
    if (c.token !== undefined) out.token = c.token;
    if (c.username !== undefined) out.username = c.username;
    if (c.webhookSecret !== undefined) out.webhookSecret = c.webhookSecret;
    if (c.retry !== undefined) out.retry = stripUndefined(c.retry);
    return out;
  }) as unknown as z.ZodType<CustomcrmConfig>;

function stripUndefined(o: Record<string, number | undefined>): Partial<RetryPolicy> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<RetryPolicy>;
}

export type { ConnectorDeps } from '../types.ts';
