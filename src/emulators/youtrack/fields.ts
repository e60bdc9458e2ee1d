/**
 * The `fields` partial-response grammar shared by YouTrack and Hub:
 *   list := item (',' item)*      item := path ('(' list ')')?      path := name ('/' name)*
 * `a/b/c` is short for `a(b(c))` (Hub). A name without a sub-selection maps to null.
 */
export type FieldTree = Map<string, FieldTree | null>;

export class FieldsSyntaxError extends Error {
  override readonly name = 'FieldsSyntaxError';
}

const NAME = /[A-Za-z0-9_$-]/;

export function parseFields(text: string): FieldTree {
  let pos = 0;
  const fail = (): never => {
    throw new FieldsSyntaxError(`fields: invalid syntax at offset ${pos} in "${text}"`);
  };
  const skipSpace = () => {
    while (text[pos] === ' ') pos++;
  };
  const name = (): string => {
    skipSpace();
    const start = pos;
    while (pos < text.length && NAME.test(text[pos] ?? '')) pos++;
    if (pos === start) fail();
    const out = text.slice(start, pos);
    skipSpace();
    return out;
  };
  const list = (depth: number): FieldTree => {
    const tree: FieldTree = new Map();
    for (;;) {
      skipSpace();
      // Empty items (`a,,b`, a trailing comma) are tolerated, as YouTrack does.
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (pos >= text.length || text[pos] === ')') break;
      const path = [name()];
      while (text[pos] === '/') {
        pos++;
        path.push(name());
      }
      let sub: FieldTree | null = null;
      if (text[pos] === '(') {
        pos++;
        sub = list(depth + 1);
        if (text[pos] !== ')' || sub.size === 0) fail();
        pos++;
        skipSpace();
      }
      merge(tree, path, sub);
      if (pos < text.length && text[pos] !== ',' && text[pos] !== ')') fail();
    }
    if (depth === 0 && pos < text.length) fail();
    if (depth > 0 && text[pos] !== ')') fail();
    return tree;
  };
  return list(0);
}

function merge(tree: FieldTree, path: string[], sub: FieldTree | null): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  const existing = tree.get(head);
  if (rest.length === 0) {
    if (sub === null) {
      if (!tree.has(head)) tree.set(head, null);
      return;
    }
    const target = existing ?? new Map<string, FieldTree | null>();
    for (const [k, v] of sub) merge(target, [k], v);
    tree.set(head, target);
    return;
  }
  const target = existing ?? new Map<string, FieldTree | null>();
  tree.set(head, target);
  merge(target, rest, sub);
}
