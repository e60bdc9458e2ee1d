import type { SqlDialect } from '../dialect.ts';
import { defineQueries } from '../statement-text.ts';
import { defineMigrations } from '../schema.ts';

const CASTS = { json: 'jsonb', time: 'timestamptz', ref: 'bigint' } as const;

/** PostgreSQL: jsonb, timestamptz, boolean, bigint identities; `$n` parameters. */
export const postgresDialect: SqlDialect = {
  types: {
    id: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    ref: 'bigint',
    int: 'integer',
    bool: 'boolean',
    json: 'jsonb',
    time: 'timestamptz',
  },
  limit: (n) => `?${n}`,
  forUpdate: ' FOR UPDATE',
  indexedBy: () => '',
  // The database's collation may ignore punctuation and case; SQLite and the tests compare bytes.
  binary: (column) => `${column} COLLATE "C"`,
  jsonStrings: (n) => `SELECT jsonb_array_elements_text(?${n}::jsonb)`,
  jsonRows: (n) => `jsonb_array_elements(?${n}::jsonb) WITH ORDINALITY AS t(e, n)`,
  jsonRowOrder: 'n',
  field: (name, type) => (type === undefined ? `e->>'${name}'` : `(e->>'${name}')::${CASTS[type]}`),
  compile: (sql) => sql.replace(/\?(\d+)/g, '$$$1'),
};

export const postgresQueries = defineQueries(postgresDialect);
export const postgresMigrations = defineMigrations(postgresDialect);
