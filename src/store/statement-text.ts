import type { SqlDialect } from './dialect.ts';
import type { Queries } from './queries.ts';

const LINK = `id, flow, yt_type, yt_id, crm_type, crm_id, origin, status, base, yt_hash, crm_hash,
  crm_version, label, created_at, updated_at`;
const CONFLICT = `id, link_id, flow, property, winner_side, winner_value, loser_side, loser_value,
  status, pending, at, resolved_at, resolved_by`;
const JOURNAL = `id, key, flow, op, target_system, target_type, source_system, source_id, payload,
  status, target_id, error, created_at, completed_at`;
const REVIEW_ITEM = `id, key, code, flow, records, message, status, decision, decided_by, first_seen,
  last_seen, decided_at`;
const HISTORY = `id, at, cycle_id, link_id, flow, system, record_id, property, old_value,
  new_value, source, action, note`;
/** The bound of a page that starts at the newest row: above every id either database makes. */
const NO_ID_ABOVE = '9223372036854775807';

/** Every statement, written once in the neutral text of `dialect.ts`, compiled for `d`. */
export function defineQueries(d: SqlDialect): Queries {
  const compiled = { ...neutralQueries(d) };
  for (const name of Object.keys(compiled) as (keyof Queries)[]) compiled[name] = d.compile(compiled[name]);
  return Object.freeze(compiled);
}

function neutralQueries(d: SqlDialect): Queries {
  return {
    ...linkQueries(d),
    ...recordQueries(d),
    ...batchQueries(d),
    ...cycleQueries(),
    ...reviewQueries(),
  };
}

function linkQueries(d: SqlDialect) {
  return {
    getLink: `SELECT ${LINK} FROM links WHERE id = ?1`,
    getLinkForUpdate: `SELECT ${LINK} FROM links WHERE id = ?1${d.forUpdate}`,
    findLinkByYt: `SELECT ${LINK} FROM links
    WHERE connection = ?4 AND flow = ?1 AND yt_id = ?2 AND (?3::text IS NULL OR crm_id = ?3)
    ORDER BY status = 'active' DESC, id DESC LIMIT 1`,
    findLinkByCrm: `SELECT ${LINK} FROM links
    WHERE connection = ?3 AND flow = ?1 AND crm_id = ?2
    ORDER BY status = 'active' DESC, id DESC LIMIT 1`,
    // INDEXED BY: without statistics SQLite would rather walk the whole flow (links_flow_id) in id
    // order and filter; these run once per chunk, so that made a first sync quadratic.
    findLinksByYt: `SELECT ${LINK} FROM links${d.indexedBy('links_yt')}
    WHERE connection = ?3 AND flow = ?1 AND yt_id IN (${d.jsonStrings(2)}) ORDER BY id`,
    findLinksByCrm: `SELECT ${LINK} FROM links${d.indexedBy('links_crm')}
    WHERE connection = ?3 AND flow = ?1 AND crm_id IN (${d.jsonStrings(2)}) ORDER BY id`,
    listLinks: `SELECT ${LINK} FROM links WHERE connection = ?3 AND id > coalesce(?1::bigint, 0)
    ORDER BY id LIMIT ${d.limit(2)}`,
    listLinksByFlow: `SELECT ${LINK} FROM links
    WHERE connection = ?5 AND flow = ?1 AND (?2::text IS NULL OR status = ?2) AND id > coalesce(?3::bigint, 0)
    ORDER BY id LIMIT ${d.limit(4)}`,
    listLinksByStatus: `SELECT ${LINK} FROM links
    WHERE connection = ?4 AND status = ?1 AND id > coalesce(?2::bigint, 0)
    ORDER BY id LIMIT ${d.limit(3)}`,
    pageLinks: `SELECT ${LINK} FROM links WHERE connection = ?4 AND flow = ?1 AND id > ?2
    ORDER BY id LIMIT ?3`,
    searchLinks: `SELECT ${LINK} FROM links WHERE connection = ?3 AND search LIKE ?1 ESCAPE '\\'
    ORDER BY ${d.binary('search')}, id LIMIT ?2`,
    updateLink: `UPDATE links SET status = ?2, base = ?3, yt_hash = ?4, crm_hash = ?5,
    crm_version = ?6, label = ?7, search = ?8, yt_id = ?9, crm_id = ?10, updated_at = ?11
    WHERE id = ?1`,
    countLinks: `SELECT flow, status, count(*) AS count FROM links WHERE connection = ?1 GROUP BY flow, status
    ORDER BY flow, status`,

    listHistory: `SELECT ${HISTORY} FROM history
    WHERE connection = ?3 AND id < coalesce(?1::bigint, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT ${d.limit(2)}`,
    listHistoryOfLink: `SELECT ${HISTORY} FROM history
    WHERE link_id = ?1 AND connection = ?6 AND (?2::text IS NULL OR record_id = ?2)
      AND (?3::bigint IS NULL OR cycle_id = ?3) AND id < coalesce(?4::bigint, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT ${d.limit(5)}`,
    listHistoryOfRecord: `SELECT ${HISTORY} FROM history
    WHERE record_id = ?1 AND connection = ?5 AND (?2::bigint IS NULL OR cycle_id = ?2)
      AND id < coalesce(?3::bigint, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT ${d.limit(4)}`,
    listHistoryOfCycle: `SELECT ${HISTORY} FROM history
    WHERE cycle_id = ?1 AND connection = ?4 AND id < coalesce(?2::bigint, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT ${d.limit(3)}`,
  };
}

function recordQueries(d: SqlDialect) {
  return {
    insertConflict: `INSERT INTO conflicts (link_id, flow, property, winner_side, winner_value,
    loser_side, loser_value, at, connection) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    RETURNING ${CONFLICT}`,
    getConflict: `SELECT ${CONFLICT} FROM conflicts WHERE id = ?1`,
    listConflicts: `SELECT ${CONFLICT} FROM conflicts WHERE connection = ?2
    ORDER BY id DESC LIMIT ${d.limit(1)}`,
    listConflictsOfLink: `SELECT ${CONFLICT} FROM conflicts
    WHERE link_id = ?1 AND connection = ?4 AND (?2::text IS NULL OR status = ?2)
    ORDER BY id DESC LIMIT ${d.limit(3)}`,
    listConflictsByStatus: `SELECT ${CONFLICT} FROM conflicts WHERE connection = ?3 AND status = ?1
    ORDER BY id DESC LIMIT ${d.limit(2)}`,
    resolveConflict: `UPDATE conflicts SET status = ?2, pending = TRUE, resolved_at = ?3,
    resolved_by = ?4 WHERE id = ?1 AND status = 'open'`,
    pendingResolutions: `SELECT ${CONFLICT} FROM conflicts WHERE connection = ?1 AND pending ORDER BY id`,
    markResolutionApplied: `UPDATE conflicts SET pending = FALSE WHERE id = ?1`,
    countConflicts: `SELECT
    (SELECT count(*) FROM conflicts WHERE connection = ?1 AND status = 'open') AS open,
    (SELECT count(*) FROM conflicts WHERE connection = ?1 AND pending) AS pending`,

    upsertQuarantine: `INSERT INTO quarantine (system, record_type, record_id, flow, code, property,
    reason, attempts, first_seen, last_seen, retry_requested, status, connection)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8, FALSE, 'quarantined', ?9)
    ON CONFLICT (connection, system, record_type, record_id) DO UPDATE SET
      flow = excluded.flow, code = excluded.code, property = excluded.property,
      reason = excluded.reason, last_seen = excluded.last_seen, retry_requested = FALSE,
      attempts = CASE WHEN quarantine.status = 'released' THEN 1 ELSE quarantine.attempts + 1 END,
      first_seen = CASE WHEN quarantine.status = 'released' THEN excluded.first_seen
        ELSE quarantine.first_seen END,
      status = 'quarantined'`,
    findQuarantine: `SELECT * FROM quarantine
    WHERE connection = ?4 AND system = ?1 AND record_type = ?2 AND record_id = ?3`,
    releaseQuarantine: `UPDATE quarantine SET status = 'released', retry_requested = FALSE
    WHERE connection = ?4 AND system = ?1 AND record_type = ?2 AND record_id = ?3`,
    listQuarantine: `SELECT * FROM quarantine WHERE connection = ?2
    ORDER BY id DESC LIMIT ${d.limit(1)}`,
    listQuarantineByStatus: `SELECT * FROM quarantine WHERE connection = ?3 AND status = ?1
    ORDER BY id DESC LIMIT ${d.limit(2)}`,
    requestRetry: `UPDATE quarantine SET retry_requested = TRUE
    WHERE id = ?1 AND connection = ?2 AND status = 'quarantined'`,
    requestRetryAll: `UPDATE quarantine SET retry_requested = TRUE
    WHERE connection = ?1 AND status = 'quarantined'`,
    countQuarantine: `SELECT
    (SELECT count(*) FROM quarantine WHERE connection = ?1 AND status = 'quarantined')
      AS quarantined,
    (SELECT count(*) FROM quarantine
      WHERE connection = ?1 AND status = 'quarantined' AND retry_requested)
      AS retry_requested`,
  };
}

/** The batch statements: one JSON array parameter of rows keyed by column name. */
function batchQueries(d: SqlDialect) {
  const f = (names: string): string =>
    names
      .split(' ')
      .map((name) => fieldOf(d, name))
      .join(', ');
  return {
    insertLinks: `INSERT INTO links (flow, yt_type, yt_id, crm_type, crm_id, origin, status, base,
    yt_hash, crm_hash, crm_version, label, search, created_at, updated_at, connection)
    SELECT ${f('flow yt_type yt_id crm_type crm_id origin status base yt_hash crm_hash crm_version label search')},
      ?2::timestamptz, ?2::timestamptz, ?3
    FROM ${d.jsonRows(1)} ORDER BY ${d.jsonRowOrder}
    RETURNING ${LINK}`,
    completeWrites: `UPDATE journal SET status = ${f('status')}, target_id = ${f('target_id')},
    error = ${f('error')}, completed_at = ?2::timestamptz
    FROM ${d.jsonRows(1)} WHERE journal.id = ${f('id')}`,
    insertHistories: `INSERT INTO history (at, cycle_id, link_id, flow, system, record_id, property,
    old_value, new_value, source, action, note, connection)
    SELECT ${f('at cycle_id link_id flow system record_id property old_value new_value source action note')}, ?2
    FROM ${d.jsonRows(1)} ORDER BY ${d.jsonRowOrder}`,
    // WHERE true: SQLite reads `ON CONFLICT` after a bare FROM as a join constraint.
    insertJournals: `INSERT INTO journal (key, flow, op, target_system, target_type, source_system,
    source_id, payload, status, created_at, connection)
    SELECT ${f('key flow op target_system target_type source_system source_id payload')},
      'pending', ?2::timestamptz, ?3
    FROM ${d.jsonRows(1)} WHERE true
    ON CONFLICT (key) DO NOTHING
    RETURNING ${JOURNAL}`,
    getJournalsByKeys: `SELECT ${JOURNAL} FROM journal WHERE key IN (${d.jsonStrings(1)})`,
    completeWrite: `UPDATE journal SET status = ?2, target_id = ?3, error = ?4, completed_at = ?5
    WHERE id = ?1`,
    pendingWrites: `SELECT ${JOURNAL} FROM journal WHERE connection = ?1 AND status = 'pending'
    ORDER BY id`,
  };
}

/** The type of each batch column that is not text. */
const FIELD_TYPES: Record<string, 'json' | 'time' | 'ref'> = {
  base: 'json',
  payload: 'json',
  old_value: 'json',
  new_value: 'json',
  at: 'time',
  id: 'ref',
  cycle_id: 'ref',
  link_id: 'ref',
};

function fieldOf(d: SqlDialect, name: string): string {
  const type = FIELD_TYPES[name];
  return type === undefined ? d.field(name) : d.field(name, type);
}

function cycleQueries() {
  return {
    getWatermark: `SELECT value FROM watermarks WHERE name = ?1`,
    setWatermark: `INSERT INTO watermarks (name, value, updated_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,

    insertCycle: `INSERT INTO cycles (connection, kind, status, started_at)
    VALUES (?1, ?2, 'running', ?3) RETURNING id`,
    finishCycle: `UPDATE cycles SET status = ?2, writes = ?3, stats = ?4, message = ?5,
    finished_at = ?6 WHERE id = ?1`,
    runningCycles: `SELECT id FROM cycles WHERE connection = ?1 AND status = 'running' ORDER BY id`,
    interruptCycle: `UPDATE cycles SET status = 'interrupted', message = ?2, finished_at = ?3
    WHERE id = ?1 AND status = 'running'`,
    listCycles: `SELECT * FROM cycles ORDER BY id DESC LIMIT ?1`,
    writesPerCycle: `SELECT id, started_at, writes FROM
    (SELECT id, started_at, writes FROM cycles
     WHERE finished_at IS NOT NULL AND status <> 'interrupted' ORDER BY id DESC LIMIT ?1) AS recent ORDER BY id`,

    claimWebhookEvent: `INSERT INTO webhook_events (connection, event_id, received_at) VALUES (?1, ?2, ?3)
    ON CONFLICT DO NOTHING RETURNING event_id`,
    pruneWebhookEvents: `DELETE FROM webhook_events WHERE received_at < ?1`,
  };
}

function reviewQueries() {
  return {
    upsertReviewItem: `INSERT INTO review_items (key, code, flow, records, message, status, first_seen,
    last_seen, connection) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?6, ?7)
    ON CONFLICT (connection, key) DO UPDATE SET
      code = excluded.code, flow = excluded.flow, records = excluded.records, message = excluded.message,
      last_seen = excluded.last_seen,
      decision = CASE WHEN review_items.status = 'done' THEN NULL ELSE review_items.decision END,
      decided_by = CASE WHEN review_items.status = 'done' THEN NULL ELSE review_items.decided_by END,
      status = CASE WHEN review_items.status = 'done' THEN 'open' ELSE review_items.status END`,
    getReviewItem: `SELECT ${REVIEW_ITEM} FROM review_items WHERE id = ?1 AND connection = ?2`,
    listReviewItems: `SELECT ${REVIEW_ITEM} FROM review_items WHERE connection = ?1 ORDER BY id`,
    listReviewItemsByStatus: `SELECT ${REVIEW_ITEM} FROM review_items
    WHERE connection = ?1 AND status = ?2 ORDER BY id`,
    decideReviewItem: `UPDATE review_items SET status = 'decided', decision = ?2, decided_by = ?3,
    decided_at = ?4 WHERE id = ?1 AND connection = ?5 AND status = 'open'`,
    closeReviewItem: `UPDATE review_items SET status = 'done' WHERE id = ?1 AND connection = ?2`,
  };
}
