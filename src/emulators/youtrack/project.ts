import type { FieldTree } from './fields.ts';

/**
 * Projection of entities through a `fields` selection. A View describes one entity type;
 * the two dialects differ in what an absent selection means:
 *  - YouTrack: only `id` and `$type` at the top, only `$type` for a nested entity.
 *  - Hub: every default field at the top, nested entities reduced to `{type, id}`; null values
 *    are left out (Hub does not send absent values).
 * Unknown field names are dropped silently in both.
 */
/** Arrays are plain JSON values (tags, event changes), sent as they are. */
export type Out = null | string | number | boolean | readonly unknown[] | Nested;

export interface View<T> {
  /** `$type` (YouTrack) or `type` (Hub); null when the object has none. */
  type: ((e: T) => string) | null;
  /** Hub: a value object (profile, e-mail) rather than an entity: sent whole, not reduced to its id. */
  inline?: boolean;
  fields: Record<string, (e: T) => Out>;
  /** Hub: the fields sent when none are selected. Defaults to all. */
  defaults?: readonly string[];
}

export type Dialect = 'youtrack' | 'hub';

/** A nested entity or list, rendered lazily so unselected relations cost nothing. */
export class Nested {
  constructor(readonly render: (dialect: Dialect, tree: FieldTree | null) => unknown) {}
}

export function one<T>(view: View<T>, value: T | null | undefined): Nested | null {
  return value == null ? null : new Nested((d, tree) => project(d, view, value, tree, true));
}

export function many<T>(view: View<T>, values: () => Iterable<T>): Nested {
  return new Nested((d, tree) => Array.from(values(), (v) => project(d, view, v, tree, true)));
}

export function project<T>(
  dialect: Dialect,
  view: View<T>,
  entity: T,
  tree: FieldTree | null,
  nested = false,
): Record<string, unknown> {
  const typeKey = dialect === 'youtrack' ? '$type' : 'type';
  const out: Record<string, unknown> = {};
  if (view.type) out[typeKey] = view.type(entity);
  let names: Iterable<string>;
  if (tree) names = tree.keys();
  else if (dialect === 'youtrack') names = nested ? [] : ['id'];
  else if (nested && !view.inline) names = ['id'];
  else names = view.defaults ?? Object.keys(view.fields);
  for (const name of names) {
    if (name === typeKey) continue;
    const get = view.fields[name];
    if (!get) continue;
    const value = get(entity);
    const rendered = value instanceof Nested ? value.render(dialect, tree?.get(name) ?? null) : value;
    if (rendered === null && dialect === 'hub') continue;
    out[name] = rendered;
  }
  return out;
}
