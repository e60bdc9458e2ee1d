import type { z } from 'zod';

/**
 * Zod drops keys a schema does not declare; a misspelt option (`mergeOrganisationsByName`) would
 * then do nothing, silently. This walks the parsed file alongside the schema and reports every key
 * no object declares, with its path and the nearest declared key. It reads the schema, so the
 * connectors' own sections (and any object added later) are covered without marking each strict.
 */
export interface UnknownKey {
  path: string;
  key: string;
  suggestion: string | undefined;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function findUnknownKeys(schema: z.ZodType, value: unknown, path: string[] = []): UnknownKey[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      if (!isPlainObject(value) || !def.shape) return [];
      const open = def.catchall && defOf(def.catchall).type !== 'never';
      const known = Object.keys(def.shape);
      const out: UnknownKey[] = [];
      for (const [k, v] of Object.entries(value)) {
        const child = def.shape[k];
        if (child) out.push(...findUnknownKeys(child, v, [...path, k]));
        else if (open && def.catchall) out.push(...findUnknownKeys(def.catchall, v, [...path, k]));
        else out.push({ path: [...path, k].join('.'), key: k, suggestion: nearest(k, known) });
      }
      return out;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? findUnknownKeys(def.innerType, value, path) : [];
    case 'pipe': {
      // z.preprocess (a transform into a schema, e.g. a profile's preset): the schema is `out`.
      const through = def.in && defOf(def.in).type === 'transform' ? def.out : def.in;
      return through ? findUnknownKeys(through, value, path) : [];
    }
    case 'lazy':
      return def.getter ? findUnknownKeys(def.getter(), value, path) : [];
    case 'array':
      return Array.isArray(value) && def.element
        ? value.flatMap((v, i) => findUnknownKeys(def.element!, v, [...path, String(i)]))
        : [];
    case 'record':
      return isPlainObject(value) && def.valueType
        ? Object.entries(value).flatMap(([k, v]) => findUnknownKeys(def.valueType!, v, [...path, k]))
        : [];
    case 'union': {
      // The option that fits best: the one that parses, else the one with fewest unknown keys.
      const options = def.options ?? [];
      const fitting = options.filter((o) => o.safeParse(value).success);
      const candidates = (fitting.length > 0 ? fitting : options).map((o) => findUnknownKeys(o, value, path));
      return candidates.sort((a, b) => a.length - b.length)[0] ?? [];
    }
    default:
      return [];
  }
}

/** The declared key closest to `key` (case-insensitive edit distance), when one is close enough. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
