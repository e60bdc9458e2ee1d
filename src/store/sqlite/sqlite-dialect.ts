import type { SqlDialect } from '../dialect.ts';
import { defineQueries } from '../statement-text.ts';
import { defineMigrations } from '../schema.ts';

/** SQLite: JSON and timestamps are TEXT, booleans 0/1, ids INTEGER; casts are dropped. */
export const sqliteDialect: SqlDialect = {
  types: {
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    ref: 'INTEGER',
    int: 'INTEGER',
    bool: 'INTEGER',
    json: 'TEXT',
    time: 'TEXT',
  },
  limit: (n) => `coalesce(?${n}, -1)`,
  forUpdate: '',
  indexedBy: (index) => ` INDEXED BY ${index}`,
  binary: (column) => column,
  jsonStrings: (n) => `SELECT value FROM json_each(?${n})`,
  jsonRows: (n) => `json_each(?${n}) AS e`,
  jsonRowOrder: 'e.key',
  field: (name) => `json_extract(e.value, '$.${name}')`,
  compile: (sql) => sql.replace(/::[a-z]+/g, ''),
};

export const sqliteQueries = defineQueries(sqliteDialect);
export const sqliteMigrations = defineMigrations(sqliteDialect);
