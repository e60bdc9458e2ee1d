/**
 * What differs between the databases' SQL, and nothing else. Statements (`statement-text.ts`) and
 * migrations (`schema.ts`) are written once, in a neutral text: parameters `?n` (numbered, the
 * same meaning in every dialect), PostgreSQL-style casts `?n::type` where a parameter is only
 * compared with NULL (PostgreSQL cannot infer its type there), and these fragments for the rest.
 * Each database folder supplies one (`sqlite/sqlite-dialect.ts`, `postgres/postgres-dialect.ts`);
 * `compile` turns the neutral text into the database's own.
 */
export interface SqlDialect {
  /** Column types of the schema. */
  readonly types: {
    /** The row id: an auto-increasing integer primary key. */
    id: string;
    /** A reference to another table's id. */
    ref: string;
    int: string;
    bool: string;
    /** A JSON value (stored as text where the database has no JSON type). */
    json: string;
    /** A timestamp (ISO 8601 text in UTC where the database has no timestamp type). */
    time: string;
  };
  /** `LIMIT` bound by parameter n, where a null parameter means no limit. */
  limit(n: number): string;
  /** After a SELECT by id: lock the row until the transaction ends, where the database locks rows. */
  readonly forUpdate: string;
  /** After a table name: force an index where the planner has no statistics to choose it. */
  indexedBy(index: string): string;
  /** `ORDER BY` key that sorts text byte-wise, whatever the database's collation. */
  binary(column: string): string;
  /** A subquery of the strings of the JSON array in parameter n. */
  jsonStrings(n: number): string;
  /** A FROM item of the objects of the JSON array in parameter n, one row each, aliased so that `field` reads them. */
  jsonRows(n: number): string;
  /** The `ORDER BY` key of `jsonRows`: the array's order. */
  readonly jsonRowOrder: string;
  /** One property of the current `jsonRows` object, of the column type given (text when none). */
  field(name: string, type?: 'json' | 'time' | 'ref'): string;
  /** The database's text of a neutral statement. */
  compile(sql: string): string;
}
