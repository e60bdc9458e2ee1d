import type { Migration } from './driver.ts';
import type { SqlDialect } from './dialect.ts';

/**
 * Numbered migrations, applied in order and recorded in `schema_migrations`, written once for
 * every database: only the column types differ (`SqlDialect.types`). Never edit a released one
 * (its text for each database must stay what earlier versions applied): add the next number.
 */
export function defineMigrations(d: SqlDialect): readonly Migration[] {
  const t = d.types;
  return [
    {
      version: 1,
      name: 'initial',
      sql: `
CREATE TABLE links (
  id          ${t.id},
  flow        TEXT NOT NULL,
  yt_type     TEXT NOT NULL,
  yt_id       TEXT NOT NULL,
  crm_type    TEXT NOT NULL,
  crm_id      TEXT NOT NULL,
  origin      TEXT NOT NULL,
  status      TEXT NOT NULL,
  base        ${t.json} NOT NULL,
  yt_hash     TEXT,
  crm_hash    TEXT,
  crm_version TEXT,
  label       TEXT NOT NULL,
  search      TEXT NOT NULL,
  created_at  ${t.time} NOT NULL,
  updated_at  ${t.time} NOT NULL
);
CREATE UNIQUE INDEX links_active_yt ON links (flow, yt_id) WHERE status = 'active';
CREATE UNIQUE INDEX links_active_crm ON links (flow, crm_id) WHERE status = 'active';
CREATE INDEX links_yt ON links (flow, yt_id);
CREATE INDEX links_crm ON links (flow, crm_id);
CREATE INDEX links_flow_id ON links (flow, id);

CREATE TABLE history (
  id        ${t.id},
  at        ${t.time} NOT NULL,
  cycle_id  ${t.ref},
  link_id   ${t.ref},
  flow      TEXT NOT NULL,
  system    TEXT NOT NULL,
  record_id TEXT NOT NULL,
  property  TEXT,
  old_value ${t.json} NOT NULL,
  new_value ${t.json} NOT NULL,
  source    TEXT NOT NULL,
  action    TEXT NOT NULL,
  note      TEXT
);
CREATE INDEX history_link ON history (link_id, id);
CREATE INDEX history_record ON history (record_id, id);
CREATE INDEX history_cycle ON history (cycle_id, id);

CREATE TABLE conflicts (
  id           ${t.id},
  link_id      ${t.ref} NOT NULL REFERENCES links (id),
  flow         TEXT NOT NULL,
  property     TEXT NOT NULL,
  winner_side  TEXT NOT NULL,
  winner_value ${t.json} NOT NULL,
  loser_side   TEXT NOT NULL,
  loser_value  ${t.json} NOT NULL,
  status       TEXT NOT NULL DEFAULT 'open',
  pending      ${t.bool} NOT NULL DEFAULT FALSE,
  at           ${t.time} NOT NULL,
  resolved_at  ${t.time},
  resolved_by  TEXT
);
CREATE INDEX conflicts_status ON conflicts (status, id);
CREATE INDEX conflicts_link ON conflicts (link_id, id);
CREATE INDEX conflicts_pending ON conflicts (id) WHERE pending;

CREATE TABLE quarantine (
  id              ${t.id},
  system          TEXT NOT NULL,
  record_type     TEXT NOT NULL,
  record_id       TEXT NOT NULL,
  flow            TEXT NOT NULL,
  code            TEXT NOT NULL,
  property        TEXT,
  reason          TEXT NOT NULL,
  attempts        ${t.int} NOT NULL,
  first_seen      ${t.time} NOT NULL,
  last_seen       ${t.time} NOT NULL,
  retry_requested ${t.bool} NOT NULL DEFAULT FALSE,
  status          TEXT NOT NULL
);
CREATE UNIQUE INDEX quarantine_record ON quarantine (system, record_type, record_id);
CREATE INDEX quarantine_status ON quarantine (status, id);

CREATE TABLE journal (
  id            ${t.id},
  key           TEXT NOT NULL UNIQUE,
  flow          TEXT NOT NULL,
  op            TEXT NOT NULL,
  target_system TEXT NOT NULL,
  target_type   TEXT NOT NULL,
  source_system TEXT NOT NULL,
  source_id     TEXT NOT NULL,
  payload       ${t.json} NOT NULL,
  status        TEXT NOT NULL,
  target_id     TEXT,
  error         TEXT,
  created_at    ${t.time} NOT NULL,
  completed_at  ${t.time}
);
CREATE INDEX journal_status ON journal (status, id);

CREATE TABLE watermarks (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at ${t.time} NOT NULL
);

CREATE TABLE cycles (
  id          ${t.id},
  connection  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  status      TEXT NOT NULL,
  writes      ${t.int} NOT NULL DEFAULT 0,
  stats       ${t.json} NOT NULL DEFAULT '{}',
  message     TEXT,
  started_at  ${t.time} NOT NULL,
  finished_at ${t.time}
);
`,
    },
    {
      version: 2,
      name: 'connection scope',
      // Links, history, conflicts, quarantine and the journal belong to one connection. Rows from
      // before get the name of the only connection that ever ran a cycle here, else the default.
      sql: `
${['links', 'history', 'conflicts', 'quarantine', 'journal'].map(connectionScope).join('')}DROP INDEX links_active_yt;
DROP INDEX links_active_crm;
DROP INDEX links_yt;
DROP INDEX links_crm;
DROP INDEX links_flow_id;
CREATE UNIQUE INDEX links_active_yt ON links (connection, flow, yt_id) WHERE status = 'active';
CREATE UNIQUE INDEX links_active_crm ON links (connection, flow, crm_id) WHERE status = 'active';
CREATE INDEX links_yt ON links (connection, flow, yt_id);
CREATE INDEX links_crm ON links (connection, flow, crm_id);
CREATE INDEX links_flow_id ON links (connection, flow, id);
CREATE INDEX links_connection_search ON links (connection, search);
DROP INDEX quarantine_record;
CREATE UNIQUE INDEX quarantine_record ON quarantine (connection, system, record_type, record_id);
CREATE INDEX journal_pending ON journal (connection, status, id);
CREATE INDEX conflicts_connection ON conflicts (connection, status, id);
`,
    },
    {
      version: 3,
      name: 'indexes for every list filter',
      // Each list statement with optional filters now has one variant per key (see queries.ts),
      // answered by an index that starts with the connection, then the key, then id (the order).
      // Every such index leads with the connection, so that none of them ties with the
      // connection's own (connection, id) index: SQLite, which has no statistics here, would pick
      // either. The indexes on a key alone (or on status alone) are replaced. Cycles: by connection
      // (the newest of each, for status views), and the ones still 'running', looked up at the
      // start of every cycle.
      sql: `
CREATE INDEX links_connection_id ON links (connection, id);
CREATE INDEX links_status ON links (connection, status, id);
DROP INDEX history_link;
DROP INDEX history_record;
DROP INDEX history_cycle;
CREATE INDEX history_link ON history (connection, link_id, id);
CREATE INDEX history_record ON history (connection, record_id, id);
CREATE INDEX history_cycle ON history (connection, cycle_id, id);
CREATE INDEX history_connection ON history (connection, id);
DROP INDEX conflicts_link;
DROP INDEX conflicts_status;
CREATE INDEX conflicts_link ON conflicts (connection, link_id, id);
CREATE INDEX conflicts_connection_id ON conflicts (connection, id);
DROP INDEX quarantine_status;
CREATE INDEX quarantine_connection ON quarantine (connection, status, id);
CREATE INDEX quarantine_connection_id ON quarantine (connection, id);
CREATE INDEX cycles_connection ON cycles (connection, id);
CREATE INDEX cycles_running ON cycles (connection, id) WHERE status = 'running';
`,
    },
    // -- issue 15
    {
      version: 4,
      name: 'webhook replay cache',
      // Webhook event ids already accepted, per connection: a replay is refused after a restart and
      // by every worker, not only by the process that took the first delivery. Rows older than a day
      // are pruned as new ones arrive (the receiver refuses deliveries older than its tolerance anyway).
      sql: `
CREATE TABLE webhook_events (
  connection  TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (connection, event_id)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);
`,
    },
    {
      // -- issue 14
      version: 5,
      name: 'review items',
      // Doubtful cases a person decides (ambiguous matches, same-side duplicates, changes to
      // protected accounts). One row per case key and connection: planned again every cycle while
      // open, it is updated, not repeated. records: JSON {records, candidates, changes}.
      sql: `
CREATE TABLE review_items (
  id          ${t.id},
  connection  TEXT NOT NULL,
  key         TEXT NOT NULL,
  code        TEXT NOT NULL,
  flow        TEXT NOT NULL,
  records     TEXT NOT NULL,
  message     TEXT NOT NULL,
  status      TEXT NOT NULL,
  decision    TEXT,
  decided_by  TEXT,
  first_seen  ${t.time} NOT NULL,
  last_seen   ${t.time} NOT NULL,
  decided_at  ${t.time}
);
CREATE UNIQUE INDEX review_items_key ON review_items (connection, key);
CREATE INDEX review_items_status ON review_items (connection, status, id);
`,
    },
  ];
}

/** Migration 2's text for one table, as released. */
function connectionScope(table: string): string {
  return `ALTER TABLE ${table} ADD COLUMN connection TEXT NOT NULL DEFAULT 'main';
UPDATE ${table} SET connection = coalesce(
  (SELECT min(connection) FROM cycles HAVING count(DISTINCT connection) = 1), 'main');
`;
}
