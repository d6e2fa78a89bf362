-- Publishing: posts composed for a client, one target per destination (a LinkedIn page,
-- an X account, a Facebook Page), the steps each target's publish has completed, the
-- intents written before every irreversible call, media copied into the vault, queue slots.

-- One composition. The due time is kept three ways: the UTC instant the scheduler uses,
-- the IANA zone and the wall-clock time the person chose (so a DST rule change or a zone
-- change can be shown and recomputed, never guessed).
CREATE TABLE posts (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    brand_id        TEXT REFERENCES brands(id) ON DELETE SET NULL,
    body            TEXT NOT NULL DEFAULT '',
    link            TEXT,
    first_comment   TEXT,
    -- X threads: the follow-up posts, a JSON array of strings.
    thread          TEXT NOT NULL DEFAULT '[]',
    zone            TEXT NOT NULL,
    wall_time       TEXT,
    due_at          TEXT,
    -- Hand the schedule to the platform where it can hold posts (Facebook).
    native_schedule INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX posts_client ON posts(client_id, due_at);

-- Media of a post, its bytes in the vault's content-addressed blobs (encrypted at rest).
CREATE TABLE post_media (
    id         TEXT PRIMARY KEY,
    post_id    TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    sha256     TEXT NOT NULL REFERENCES blobs(sha256),
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    alt        TEXT,
    -- 'file' or 'library:<asset id>'
    source     TEXT NOT NULL DEFAULT 'file'
);
CREATE INDEX post_media_post ON post_media(post_id, position);
CREATE INDEX post_media_blob ON post_media(sha256);

-- One destination of a post, with its own state.
CREATE TABLE post_targets (
    id               TEXT PRIMARY KEY,
    post_id          TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    client_id        TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    connection_id    TEXT REFERENCES connections(id) ON DELETE SET NULL,
    platform         TEXT NOT NULL,
    destination_id   TEXT NOT NULL,
    destination_name TEXT,
    destination_kind TEXT NOT NULL,
    -- This target's variant of the text; NULL = the post's body.
    body             TEXT,
    state            TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'publishing', 'published', 'scheduled_remote', 'failed', 'unconfirmed', 'missed', 'cancelled')),
    due_at           TEXT,
    -- When the scheduler looks at it next (the due time, or a retry time); set only while
    -- scheduled, so the due query reads one small partial index.
    next_at          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    claimed_by       TEXT,
    claimed_at       TEXT,
    remote_id        TEXT,
    remote_url       TEXT,
    -- failed: not_sent, rate_limited, uncertain, rejected, reconnect, permanent, …;
    -- missed: stale; unconfirmed: uncertain or crashed.
    reason           TEXT,
    message          TEXT,
    -- What went wrong after the post itself was published (a first comment, a thread part).
    note             TEXT,
    published_at     TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX post_targets_due ON post_targets(next_at) WHERE state = 'scheduled';
CREATE INDEX post_targets_claimed ON post_targets(claimed_by) WHERE state = 'publishing';
CREATE INDEX post_targets_post ON post_targets(post_id);
CREATE INDEX post_targets_client ON post_targets(client_id, state, due_at);

-- The remote ids of a target's completed actions (uploaded media, the post, replies):
-- stored as soon as each exists, so a restart resumes instead of starting over.
CREATE TABLE publish_steps (
    target_id TEXT NOT NULL REFERENCES post_targets(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    url       TEXT,
    at        TEXT NOT NULL,
    PRIMARY KEY (target_id, key)
) WITHOUT ROWID;

-- Every irreversible call, written before it is made. An attempt with no outcome is an
-- intent whose result is unknown: a crash happened, or the answer could not be read.
CREATE TABLE publish_attempts (
    id          INTEGER PRIMARY KEY,
    target_id   TEXT NOT NULL REFERENCES post_targets(id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    role        TEXT NOT NULL,
    scheduler   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    -- done, failed (provably not published), found (looked up after a crash),
    -- not_found, unknown (left for a person to check)
    outcome     TEXT,
    message     TEXT
);
CREATE INDEX publish_attempts_target ON publish_attempts(target_id);

-- A client's usual posting times, in its own zone: "add to queue" takes the next free one.
CREATE TABLE queue_slots (
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    -- 0 = Monday … 6 = Sunday
    weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute    INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (client_id, weekday, minute)
) WITHOUT ROWID;

-- Where each connection can publish, as last read from the platform (so composing works
-- offline).
CREATE TABLE publish_destinations (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT,
    kind          TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
) WITHOUT ROWID;

-- Schedulers that hold a lease on publishing (the app, `scheduler run`): targets claimed by
-- one that stopped are recovered by the next.
CREATE TABLE scheduler_leases (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
