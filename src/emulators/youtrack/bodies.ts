import { z } from 'zod';
import { badRequest } from './reply.ts';

/** Request bodies, validated at the edge; a bad body is 400 naming the offending path. */
const idRef = z.object({ id: z.string() });

export const hubUserBody = z.object({
  login: z.string().optional(),
  name: z.string().optional(),
  banned: z.boolean().optional(),
  banReason: z.string().nullable().optional(),
  profile: z
    .object({
      email: z
        .object({ email: z.string().nullable().optional(), verified: z.boolean().optional() })
        .nullable()
        .optional(),
    })
    .optional(),
  details: z.array(z.object({ login: z.string().optional() }).passthrough()).optional(),
});

export const hubGroupBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  parent: idRef.nullable().optional(),
});

export const organizationBody = z.object({
  key: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
});

export const memberBody = idRef;

export const ytUserBody = z.object({
  login: z.string().optional(),
  fullName: z.string().optional(),
  email: z.string().nullable().optional(),
  banned: z.boolean().optional(),
});

export const ytGroupBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  parentGroup: idRef.nullable().optional(),
});

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw badRequest(`Request body: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
}

/** Keys whose value may be undefined become optional; keys that are always set stay required. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Keeps only defined values, so a partial update leaves omitted keys untouched. */
export function defined<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}
