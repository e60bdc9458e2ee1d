import type { Queries } from '../queries.ts';

/** SQLite text of every statement; `postgres/postgres-queries.ts` mirrors it line for line. */
const LINK = `id, flow, yt_type, yt_id, crm_type, crm_id, origin, status, base, yt_hash, crm_hash,
  crm_version, label, created_at, updated_at`;
const CONFLICT = `id, link_id, flow, property, winner_side, winner_value, loser_side, loser_value,
  status, pending, at, resolved_at, resolved_by`;
const JOURNAL = `id, key, flow, op, target_system, target_type, source_system, source_id, payload,
  status, target_id, error, created_at, completed_at`;
const HISTORY = `id, at, cycle_id, link_id, flow, system, record_id, property, old_value,
  new_value, source, action, note`;
/** The bound of a page that starts at the newest row: above every id either database makes. */
const NO_ID_ABOVE = '9223372036854775807';

export const sqliteQueries: Queries = {
  getLink: `SELECT ${LINK} FROM links WHERE id = ?1`,
  getLinkForUpdate: `SELECT ${LINK} FROM links WHERE id = ?1`,
  findLinkByYt: `SELECT ${LINK} FROM links
    WHERE connection = ?4 AND flow = ?1 AND yt_id = ?2 AND (?3 IS NULL OR crm_id = ?3)
    ORDER BY status = 'active' DESC, id DESC LIMIT 1`,
  findLinkByCrm: `SELECT ${LINK} FROM links
    WHERE connection = ?3 AND flow = ?1 AND crm_id = ?2
    ORDER BY status = 'active' DESC, id DESC LIMIT 1`,
  // INDEXED BY: without statistics SQLite would rather walk the whole flow (links_flow_id) in id
  // order and filter; these run once per chunk, so that made a first sync quadratic.
  findLinksByYt: `SELECT ${LINK} FROM links INDEXED BY links_yt
    WHERE connection = ?3 AND flow = ?1 AND yt_id IN (SELECT value FROM json_each(?2)) ORDER BY id`,
  findLinksByCrm: `SELECT ${LINK} FROM links INDEXED BY links_crm
    WHERE connection = ?3 AND flow = ?1 AND crm_id IN (SELECT value FROM json_each(?2)) ORDER BY id`,
  listLinks: `SELECT ${LINK} FROM links WHERE connection = ?3 AND id > coalesce(?1, 0)
    ORDER BY id LIMIT coalesce(?2, -1)`,
  listLinksByFlow: `SELECT ${LINK} FROM links
    WHERE connection = ?5 AND flow = ?1 AND (?2 IS NULL OR status = ?2) AND id > coalesce(?3, 0)
    ORDER BY id LIMIT coalesce(?4, -1)`,
  listLinksByStatus: `SELECT ${LINK} FROM links
    WHERE connection = ?4 AND status = ?1 AND id > coalesce(?2, 0)
    ORDER BY id LIMIT coalesce(?3, -1)`,
  pageLinks: `SELECT ${LINK} FROM links WHERE connection = ?4 AND flow = ?1 AND id > ?2
    ORDER BY id LIMIT ?3`,
  searchLinks: `SELECT ${LINK} FROM links WHERE connection = ?3 AND search LIKE ?1 ESCAPE '\\'
    ORDER BY search, id LIMIT ?2`,
  updateLink: `UPDATE links SET status = ?2, base = ?3, yt_hash = ?4, crm_hash = ?5,
    crm_version = ?6, label = ?7, search = ?8, yt_id = ?9, crm_id = ?10, updated_at = ?11
    WHERE id = ?1`,
  countLinks: `SELECT flow, status, count(*) AS count FROM links WHERE connection = ?1 GROUP BY flow, status
    ORDER BY flow, status`,

  listHistory: `SELECT ${HISTORY} FROM history
    WHERE connection = ?3 AND id < coalesce(?1, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT coalesce(?2, -1)`,
  listHistoryOfLink: `SELECT ${HISTORY} FROM history
    WHERE link_id = ?1 AND connection = ?6 AND (?2 IS NULL OR record_id = ?2)
      AND (?3 IS NULL OR cycle_id = ?3) AND id < coalesce(?4, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT coalesce(?5, -1)`,
  listHistoryOfRecord: `SELECT ${HISTORY} FROM history
    WHERE record_id = ?1 AND connection = ?5 AND (?2 IS NULL OR cycle_id = ?2)
      AND id < coalesce(?3, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT coalesce(?4, -1)`,
  listHistoryOfCycle: `SELECT ${HISTORY} FROM history
    WHERE cycle_id = ?1 AND connection = ?4 AND id < coalesce(?2, ${NO_ID_ABOVE})
    ORDER BY id DESC LIMIT coalesce(?3, -1)`,

  insertConflict: `INSERT INTO conflicts (link_id, flow, property, winner_side, winner_value,
    loser_side, loser_value, at, connection) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    RETURNING ${CONFLICT}`,
  getConflict: `SELECT ${CONFLICT} FROM conflicts WHERE id = ?1`,
  listConflicts: `SELECT ${CONFLICT} FROM conflicts WHERE connection = ?2
    ORDER BY id DESC LIMIT coalesce(?1, -1)`,
  listConflictsOfLink: `SELECT ${CONFLICT} FROM conflicts
    WHERE link_id = ?1 AND connection = ?4 AND (?2 IS NULL OR status = ?2)
    ORDER BY id DESC LIMIT coalesce(?3, -1)`,
  listConflictsByStatus: `SELECT ${CONFLICT} FROM conflicts WHERE connection = ?3 AND status = ?1
    ORDER BY id DESC LIMIT coalesce(?2, -1)`,
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
    ORDER BY id DESC LIMIT coalesce(?1, -1)`,
  listQuarantineByStatus: `SELECT * FROM quarantine WHERE connection = ?3 AND status = ?1
    ORDER BY id DESC LIMIT coalesce(?2, -1)`,
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

  insertLinks: `INSERT INTO links (flow, yt_type, yt_id, crm_type, crm_id, origin, status, base,
    yt_hash, crm_hash, crm_version, label, search, created_at, updated_at, connection)
    SELECT json_extract(value, '$.flow'), json_extract(value, '$.yt_type'), json_extract(value, '$.yt_id'), json_extract(value, '$.crm_type'), json_extract(value, '$.crm_id'), json_extract(value, '$.origin'), json_extract(value, '$.status'), json_extract(value, '$.base'), json_extract(value, '$.yt_hash'), json_extract(value, '$.crm_hash'), json_extract(value, '$.crm_version'), json_extract(value, '$.label'), json_extract(value, '$.search'), ?2, ?2, ?3
    FROM json_each(?1) ORDER BY key
    RETURNING ${LINK}`,
  completeWrites: `UPDATE journal SET status = json_extract(e.value, '$.status'),
    target_id = json_extract(e.value, '$.target_id'), error = json_extract(e.value, '$.error'), completed_at = ?2
    FROM json_each(?1) AS e WHERE journal.id = json_extract(e.value, '$.id')`,
  insertHistories: `INSERT INTO history (at, cycle_id, link_id, flow, system, record_id, property,
    old_value, new_value, source, action, note, connection)
    SELECT json_extract(value, '$.at'), json_extract(value, '$.cycle_id'), json_extract(value, '$.link_id'), json_extract(value, '$.flow'), json_extract(value, '$.system'), json_extract(value, '$.record_id'), json_extract(value, '$.property'), json_extract(value, '$.old_value'), json_extract(value, '$.new_value'), json_extract(value, '$.source'), json_extract(value, '$.action'), json_extract(value, '$.note'), ?2
    FROM json_each(?1) ORDER BY key`,
  insertJournals: `INSERT INTO journal (key, flow, op, target_system, target_type, source_system,
    source_id, payload, status, created_at, connection)
    SELECT json_extract(value, '$.key'), json_extract(value, '$.flow'), json_extract(value, '$.op'),
      json_extract(value, '$.target_system'), json_extract(value, '$.target_type'),
      json_extract(value, '$.source_system'), json_extract(value, '$.source_id'),
      json_extract(value, '$.payload'), 'pending', ?2, ?3
    FROM json_each(?1) WHERE true
    ON CONFLICT (key) DO NOTHING
    RETURNING ${JOURNAL}`,
  getJournalsByKeys: `SELECT ${JOURNAL} FROM journal WHERE key IN (SELECT value FROM json_each(?1))`,
  completeWrite: `UPDATE journal SET status = ?2, target_id = ?3, error = ?4, completed_at = ?5
    WHERE id = ?1`,
  pendingWrites: `SELECT ${JOURNAL} FROM journal WHERE connection = ?1 AND status = 'pending'
    ORDER BY id`,

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
