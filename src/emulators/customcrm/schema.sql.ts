/**
 * Tables of the reference server. Customers and contacts share one shape: the writable
 * properties as JSON, plus the columns that lists filter and order on, each indexed so that
 * a page of 100,000 records costs an index range scan and not a table scan.
 */
function recordTable(kind: 'customers' | 'contacts'): string {
  return `
CREATE TABLE IF NOT EXISTS ${kind} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  data TEXT NOT NULL,
  email_norm TEXT,
  customer_seq INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ${kind}_email ON ${kind} (email_norm, seq);
CREATE INDEX IF NOT EXISTS ${kind}_updated ON ${kind} (updated_at, seq);`;
}

export const SCHEMA = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;

${recordTable('customers')}
${recordTable('contacts')}
CREATE INDEX IF NOT EXISTS contacts_customer ON contacts (customer_seq) WHERE customer_seq IS NOT NULL;

CREATE TABLE IF NOT EXISTS external_refs (
  kind TEXT NOT NULL,
  ref_key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, ref_key, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS external_refs_record ON external_refs (kind, seq);

CREATE TABLE IF NOT EXISTS idempotency_keys (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  headers TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency_keys (created_at);

CREATE TABLE IF NOT EXISTS webhooks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;
