-- Library: what imports bring in from the ad platforms, per client, for offline review.
-- Every imported row keeps the platform, its external id, the platform's raw JSON, and
-- first seen / last seen / removed-at, so objects that disappear are marked, never
-- dropped. Money is integer micros with an ISO 4217 code; instants are UTC (RFC 3339);
-- metric dates are calendar dates in the account's time zone.

CREATE TABLE lib_accounts (
    id                  TEXT PRIMARY KEY,
    client_id           TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    brand_id            TEXT REFERENCES brands(id) ON DELETE SET NULL,
    connection_id       TEXT REFERENCES connections(id) ON DELETE SET NULL,
    platform            TEXT NOT NULL,
    external_id         TEXT NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    currency            TEXT CHECK (currency IS NULL OR length(currency) = 3),
    timezone            TEXT,
    status              TEXT NOT NULL DEFAULT 'other',
    status_raw          TEXT,
    -- The manager / customer / business the account hangs under, where there is one.
    parent_external_id  TEXT,
    raw_json            TEXT NOT NULL DEFAULT '{}',
    fetched_at          TEXT NOT NULL,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL,
    removed_at          TEXT,
    UNIQUE (client_id, platform, external_id)
) STRICT;

-- Campaigns, ad groups (ad sets, line items, LinkedIn campaigns) and ads, one table with
-- the level; `native_level` keeps the platform's own name for display.
CREATE TABLE lib_objects (
    id                   TEXT PRIMARY KEY,
    client_id            TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    account_id           TEXT NOT NULL REFERENCES lib_accounts(id) ON DELETE CASCADE,
    platform             TEXT NOT NULL,
    level                TEXT NOT NULL CHECK (level IN ('campaign', 'ad_group', 'ad')),
    native_level         TEXT NOT NULL,
    external_id          TEXT NOT NULL,
    parent_id            TEXT REFERENCES lib_objects(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL DEFAULT '',
    -- active, paused, archived, deleted, draft, other
    status               TEXT NOT NULL DEFAULT 'other',
    status_raw           TEXT,
    -- awareness, traffic, engagement, leads, sales, app, video_views, other
    objective            TEXT,
    objective_raw        TEXT,
    budget_micros        INTEGER,
    budget_period        TEXT CHECK (budget_period IN ('daily', 'lifetime')),
    bid_micros           INTEGER,
    currency             TEXT,
    start_at             TEXT,
    end_at               TEXT,
    optimization_goal    TEXT,
    targeting_summary    TEXT,
    creative_external_id TEXT,
    review_status        TEXT,
    final_url            TEXT,
    raw_json             TEXT NOT NULL DEFAULT '{}',
    fetched_at           TEXT NOT NULL,
    first_seen           TEXT NOT NULL,
    last_seen            TEXT NOT NULL,
    removed_at           TEXT,
    UNIQUE (account_id, level, external_id)
) STRICT;
CREATE INDEX lib_objects_client ON lib_objects (client_id, level, status);
CREATE INDEX lib_objects_parent ON lib_objects (parent_id);

CREATE TABLE lib_creatives (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES lib_accounts(id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    -- image, video, carousel, text, dynamic, post
    format          TEXT NOT NULL DEFAULT 'other',
    headlines       TEXT NOT NULL DEFAULT '[]',
    bodies          TEXT NOT NULL DEFAULT '[]',
    cta             TEXT,
    landing_url     TEXT,
    url_tags        TEXT,
    source_post_id  TEXT,
    raw_json        TEXT NOT NULL DEFAULT '{}',
    fetched_at      TEXT NOT NULL,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    removed_at      TEXT,
    UNIQUE (account_id, external_id)
) STRICT;

CREATE TABLE lib_metrics_daily (
    account_id               TEXT NOT NULL REFERENCES lib_accounts(id) ON DELETE CASCADE,
    level                    TEXT NOT NULL CHECK (level IN ('account', 'campaign', 'ad_group', 'ad')),
    external_id              TEXT NOT NULL,
    -- YYYY-MM-DD in the account's time zone, never converted to an instant.
    date                     TEXT NOT NULL,
    breakdown                TEXT NOT NULL DEFAULT '',
    impressions              INTEGER NOT NULL DEFAULT 0,
    clicks                   INTEGER NOT NULL DEFAULT 0,
    spend_micros             INTEGER NOT NULL DEFAULT 0,
    currency                 TEXT,
    -- Conversions can be fractional (attribution): micro-conversions.
    conversions_micros       INTEGER NOT NULL DEFAULT 0,
    conversion_value_micros  INTEGER NOT NULL DEFAULT 0,
    video_views              INTEGER,
    reach                    INTEGER,
    extra                    TEXT NOT NULL DEFAULT '{}',
    pulled_at                TEXT NOT NULL,
    PRIMARY KEY (account_id, level, external_id, date, breakdown)
) STRICT, WITHOUT ROWID;

-- Review marks belong to the platform object, not to an import, so they survive re-imports.
CREATE TABLE lib_reviews (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('campaign', 'ad_group', 'ad')),
    external_id  TEXT NOT NULL,
    mark         TEXT NOT NULL CHECK (mark IN ('approved', 'needs_changes', 'comment')),
    note         TEXT NOT NULL DEFAULT '',
    author       TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX lib_reviews_object ON lib_reviews (client_id, platform, level, external_id);

-- Full-text search over names and ad copy (FTS5 is compiled into the bundled SQLCipher).
CREATE VIRTUAL TABLE lib_search USING fts5 (
    ref_id UNINDEXED,
    client_id UNINDEXED,
    kind UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);
