-- Imports: jobs, their resumable units, per-item errors, and the assets (images, videos,
-- thumbnails) creatives reference, stored content-addressed inside the encrypted vault.

-- The parent's external id, so children imported before their parent (listings run
-- concurrently) are linked when the parent arrives.
ALTER TABLE lib_objects ADD COLUMN parent_external_id TEXT;
CREATE INDEX lib_objects_unlinked ON lib_objects (account_id, level) WHERE parent_id IS NULL AND parent_external_id IS NOT NULL;
-- Lifetime totals of the stored daily metrics, refreshed when an import ends, so lists
-- sort and filter by spend without aggregating millions of metric rows per screen.
ALTER TABLE lib_objects ADD COLUMN spend_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lib_objects ADD COLUMN impressions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lib_objects ADD COLUMN clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lib_objects ADD COLUMN conversions_micros INTEGER NOT NULL DEFAULT 0;
CREATE INDEX lib_objects_browse ON lib_objects (client_id, level, account_id, parent_id, name COLLATE NOCASE);
CREATE INDEX lib_objects_name ON lib_objects (client_id, level, name COLLATE NOCASE);
-- Counting a filtered list (status, objective) from the index alone.
CREATE INDEX lib_objects_filter ON lib_objects (client_id, level, status, objective, spend_micros);
CREATE INDEX lib_objects_spend ON lib_objects (client_id, level, spend_micros);
CREATE INDEX lib_objects_creative ON lib_objects (account_id, creative_external_id) WHERE creative_external_id IS NOT NULL;

-- Search rows are keyed by rowid (an object's rowid; minus a creative's rowid), so updating
-- one row's text is an indexed delete, not a scan of the whole index (FTS5 cannot index the
-- UNINDEXED id column the first version keyed on).
DROP TABLE lib_search;
CREATE VIRTUAL TABLE lib_search USING fts5 (
    client_id UNINDEXED,
    kind UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO lib_search (rowid, client_id, kind, text) SELECT rowid, client_id, level, name FROM lib_objects;
-- The index's vocabulary, to expand a typed prefix into exact terms.
CREATE VIRTUAL TABLE lib_search_vocab USING fts5vocab (lib_search, 'row');
-- Deleted rows (a client or account removed) take their search rows with them, so a
-- reused rowid never inherits another object's text.
CREATE TRIGGER lib_objects_unsearch AFTER DELETE ON lib_objects BEGIN
    DELETE FROM lib_search WHERE rowid = old.rowid;
END;
CREATE TRIGGER lib_creatives_unsearch AFTER DELETE ON lib_creatives BEGIN
    DELETE FROM lib_search WHERE rowid = -old.rowid;
END;

-- The manager (Google Ads MCC) a reached account is reached through: imports send it as
-- `login-customer-id`.
ALTER TABLE connection_accounts ADD COLUMN manager TEXT;

-- Auto-sync per imported account: hours between imports (NULL = off) and the last import.
ALTER TABLE lib_accounts ADD COLUMN auto_sync_hours INTEGER CHECK (auto_sync_hours IS NULL OR auto_sync_hours BETWEEN 1 AND 720);
ALTER TABLE lib_accounts ADD COLUMN last_import_at TEXT;
-- Object counts, refreshed when an import ends (counting a million ads per screen is slow).
ALTER TABLE lib_accounts ADD COLUMN campaigns_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lib_accounts ADD COLUMN ad_groups_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lib_accounts ADD COLUMN ads_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE import_jobs (
    id                   TEXT PRIMARY KEY,
    client_id            TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    connection_id        TEXT REFERENCES connections(id) ON DELETE SET NULL,
    platform             TEXT NOT NULL,
    account_external_id  TEXT NOT NULL,
    account_id           TEXT REFERENCES lib_accounts(id) ON DELETE CASCADE,
    -- The scope as JSON: selected campaign ids (empty = everything), metrics window.
    scope                TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'completed', 'completed_with_errors', 'failed', 'cancelled')),
    -- Why a paused or failed job stopped: reconnect_needed, rate_limited, interrupted, error.
    reason               TEXT,
    message              TEXT,
    -- A job paused by a long rate-limit wait resumes by itself after this instant.
    resume_after         TEXT,
    -- `auto` for a scheduled sync, `user` otherwise.
    trigger              TEXT NOT NULL DEFAULT 'user',
    created_at           TEXT NOT NULL,
    -- When the current pull began: objects not seen since are marked removed at the end.
    pull_started         TEXT,
    started_at           TEXT,
    finished_at          TEXT,
    updated_at           TEXT NOT NULL,
    requests             INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds spent running (across resumes).
    run_ms               INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX import_jobs_client ON import_jobs (client_id, created_at);
CREATE INDEX import_jobs_state ON import_jobs (state);

-- One independent sequence of requests of a job (a listing followed page by page, one
-- metrics window, …), with the cursor it has reached. A page's rows and its unit's new
-- cursor are written in the same transaction, so a resumed job starts where it stopped.
CREATE TABLE import_units (
    job_id      TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    stage       TEXT NOT NULL,
    spec        TEXT NOT NULL,
    cursor      TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (job_id, key)
) STRICT;

-- Counters per job and kind (campaigns, ad_groups, ads, creatives, assets, metric_days).
CREATE TABLE import_progress (
    job_id  TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    total   INTEGER,
    done    INTEGER NOT NULL DEFAULT 0,
    failed  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, kind)
) STRICT, WITHOUT ROWID;

-- One object or asset that could not be read, recorded and skipped.
CREATE TABLE import_errors (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    message      TEXT NOT NULL,
    at           TEXT NOT NULL,
    UNIQUE (job_id, kind, external_id)
) STRICT;

-- Content-addressed bytes: the SHA-256 of the content is the key, so a file referenced by
-- many creatives (or clients) is stored once. The vault is SQLCipher, so the bytes are
-- encrypted at rest; chunks let the UI stream (and seek in) videos without loading them.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE TABLE blob_chunks (
    sha256  TEXT NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
) STRICT;

-- An image, video or thumbnail a creative references, by the platform's key (Meta image
-- hash, video id; Google asset resource name).
CREATE TABLE lib_assets (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES lib_accounts(id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    platform_key    TEXT NOT NULL,
    -- image, video, thumbnail, youtube
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    original_url    TEXT,
    announced_mime  TEXT,
    width           INTEGER,
    height          INTEGER,
    duration_ms     INTEGER,
    -- pending (to download), done, failed, external (a reference with no file, e.g. YouTube)
    status          TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'external')),
    error           TEXT,
    sha256          TEXT REFERENCES blobs(sha256),
    mime            TEXT,
    size            INTEGER,
    thumb_sha256    TEXT REFERENCES blobs(sha256),
    -- The asset this one is the poster / thumbnail of (a video's picture).
    thumbnail_of    TEXT,
    raw_json        TEXT NOT NULL DEFAULT '{}',
    fetched_at      TEXT NOT NULL,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    UNIQUE (account_id, platform_key)
) STRICT;
CREATE INDEX lib_assets_pending ON lib_assets (account_id, status);
CREATE INDEX lib_assets_blob ON lib_assets (sha256);
CREATE INDEX lib_assets_thumb ON lib_assets (thumb_sha256);

-- Which assets a creative uses, and as what (image, video, thumbnail, marketing_image, …).
CREATE TABLE lib_creative_assets (
    creative_id   TEXT NOT NULL REFERENCES lib_creatives(id) ON DELETE CASCADE,
    platform_key  TEXT NOT NULL,
    role          TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (creative_id, platform_key, role)
) STRICT, WITHOUT ROWID;
