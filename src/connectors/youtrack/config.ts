import { z } from 'zod';
import type { RetryPolicy } from '../../http/client.ts';
import { rateLimitOf, type TokenBucketOptions } from '../../http/rate-limit.ts';

export interface YouTrackConfig {
  /** YouTrack base URL, e.g. https://acme.youtrack.cloud or http://127.0.0.1:8111 */
  url: string;
  /** Permanent token with YouTrack and Hub in its scope. */
  token: string;
  apiMode: 'auto' | 'hub' | '2026';
  pageSize: number;
  timeoutMs: number;
  rateLimit: TokenBucketOptions;
  retry?: Partial<RetryPolicy>;
  /** Used by the engine; the connector only carries it. */
  reconcileEverySeconds?: number;
}

const URL_HINT = 'it must be the YouTrack base URL, e.g. https://NAME.youtrack.cloud';

const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1),
    baseDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    maxRetryAfterMs: z.number().min(0),
  })
  .partial()
  .strict();

const schema = z
  .object({
    url: z
      .string({ error: `youtrack.url is missing: ${URL_HINT}` })
      .refine((u) => /^https?:\/\/[^/\s]+/i.test(u) && URL.canParse(u), {
        error: `youtrack.url is not an http(s) URL: ${URL_HINT}`,
      }),
    token: z
      .string({
        error: 'youtrack.token is missing: create a permanent token in YouTrack > Profile > Account Security',
      })
      .min(1, {
        error: 'youtrack.token is empty: create a permanent token in YouTrack > Profile > Account Security',
      }),
    apiMode: z.enum(['auto', 'hub', '2026']).default('auto'),
    pageSize: z.number().int().min(1).max(1000).default(100),
    timeoutMs: z.number().int().min(1).default(30_000),
    rateLimit: z
      .object({
        ratePerSecond: z.number().positive(),
        burst: z.number().int().min(1),
        adaptive: z.boolean().optional(),
        maxInFlight: z.int().min(1).max(256).optional(),
      })
      .default({ ratePerSecond: 20, burst: 20 }),
    retry: retrySchema.optional(),
    reconcileEverySeconds: z.number().int().min(1).optional(),
  })
  .strict()
  .transform((c): YouTrackConfig => {
    // exactOptionalPropertyTypes: an absent option stays absent instead of becoming `undefined`.
    const out: YouTrackConfig = {
      url: c.url.replace(/\/+$/, ''),
      token: c.token,
      apiMode: c.apiMode,
      pageSize: c.pageSize,
      timeoutMs: c.timeoutMs,
      rateLimit: rateLimitOf(c.rateLimit),
    };
    if (c.retry) out.retry = withoutUndefined(c.retry);
    if (c.reconcileEverySeconds !== undefined) out.reconcileEverySeconds = c.reconcileEverySeconds;
    return out;
  });

function withoutUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** Validates and fills defaults; error paths are relative to the `youtrack` section. */
export const youtrackConfigSchema: z.ZodType<YouTrackConfig> = schema;
