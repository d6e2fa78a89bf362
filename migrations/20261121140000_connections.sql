-- Connections: the agency's own OAuth app registrations per platform, authorizations in
-- flight, connected accounts with their tokens, and the accounts each grant reaches.
-- Secrets live only here, inside the SQLCipher-encrypted vault.

CREATE TABLE app_credentials (
    id                 TEXT PRIMARY KEY,
    platform           TEXT NOT NULL,
    label              TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    client_id          TEXT NOT NULL DEFAULT '',
    client_secret      TEXT,
    developer_token    TEXT,
    login_customer_id  TEXT,
    api_key            TEXT,
    site_id            TEXT,
    -- 'loopback' | 'custom_scheme' | 'https_relay'; NULL: the platform's default.
    redirect           TEXT CHECK (redirect IN ('loopback', 'custom_scheme', 'https_relay')),
    -- The agency-hosted relay page, for 'https_relay'.
    relay_url          TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    secret_rotated_at  TEXT
) STRICT;
CREATE UNIQUE INDEX app_credentials_label ON app_credentials (platform, label COLLATE NOCASE);

-- OAuth 2.0 / OpenID Connect servers the user added from a discovery document or by hand.
CREATE TABLE custom_providers (
    id             TEXT PRIMARY KEY CHECK (id GLOB 'oidc_[a-z0-9_]*'),
    display_name   TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    issuer         TEXT,
    discovery_url  TEXT,
    authorize_url  TEXT NOT NULL,
    token_url      TEXT NOT NULL,
    revoke_url     TEXT,
    userinfo_url   TEXT,
    scopes         TEXT NOT NULL DEFAULT '',
    client_auth    TEXT NOT NULL CHECK (client_auth IN ('basic', 'request_body', 'none')),
    created_at     TEXT NOT NULL
) STRICT;

-- One row per authorization started; `state` itself is never stored, only its SHA-256.
-- Single use (consumed_at), ten-minute lifetime (expires_at).
CREATE TABLE oauth_flows (
    state_hash         TEXT PRIMARY KEY,
    platform           TEXT NOT NULL,
    app_credential_id  TEXT NOT NULL REFERENCES app_credentials(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    brand_id           TEXT REFERENCES brands(id) ON DELETE CASCADE,
    -- Set when reconnecting in place.
    connection_id      TEXT,
    capabilities       TEXT NOT NULL,
    scopes             TEXT NOT NULL,
    verifier           TEXT,
    redirect_uri       TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    consumed_at        TEXT,
    outcome            TEXT
) STRICT;
CREATE INDEX oauth_flows_expires ON oauth_flows (expires_at);

CREATE TABLE connections (
    id                   TEXT PRIMARY KEY,
    client_id            TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    brand_id             TEXT REFERENCES brands(id) ON DELETE SET NULL,
    platform             TEXT NOT NULL,
    app_credential_id    TEXT REFERENCES app_credentials(id) ON DELETE SET NULL,
    account_id           TEXT,
    account_name         TEXT,
    status               TEXT NOT NULL CHECK (status IN ('active', 'expiring', 'needs_reconnect', 'revoked', 'error')),
    status_error         TEXT,
    status_action        TEXT,
    capabilities         TEXT NOT NULL DEFAULT '[]',
    scopes_requested     TEXT NOT NULL DEFAULT '[]',
    scopes_granted       TEXT,
    redirect_uri         TEXT NOT NULL DEFAULT '',
    access_token         TEXT,
    refresh_token        TEXT,
    id_token             TEXT,
    expires_at           TEXT,
    refresh_expires_at   TEXT,
    token_extra          TEXT NOT NULL DEFAULT '{}',
    -- Bumped on every token write: a refresh stores its result only over the version
    -- it started from.
    token_version        INTEGER NOT NULL DEFAULT 0,
    last_refresh_at      TEXT,
    refresh_failures     INTEGER NOT NULL DEFAULT 0,
    next_refresh_at      TEXT,
    -- Wrong-account guard: a reconnect that signed in as someone else waits here.
    pending_account_id   TEXT,
    pending_account_name TEXT,
    pending_tokens       TEXT,
    connected_at         TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE INDEX connections_client ON connections (client_id);
CREATE INDEX connections_next_refresh ON connections (next_refresh_at);

CREATE TABLE connection_accounts (
    connection_id    TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    external_id      TEXT NOT NULL,
    name             TEXT,
    kind             TEXT NOT NULL,
    currency         TEXT,
    linked           INTEGER NOT NULL DEFAULT 0 CHECK (linked IN (0, 1)),
    linked_brand_id  TEXT REFERENCES brands(id) ON DELETE SET NULL,
    seen_at          TEXT NOT NULL,
    PRIMARY KEY (connection_id, external_id)
) STRICT;
