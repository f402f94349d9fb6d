-- 0001: organizations, members, API keys, SSO connections, sessions, SSO login attempts.
-- Times are RFC 3339 UTC text with nanoseconds. *_key columns hold Go's strings.ToLower of
-- the value they shadow, for case-insensitive uniqueness beyond ASCII.

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    plan       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE members (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    display_name   TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1,
    scim_user_name TEXT,
    scim_user_key  TEXT,
    external_id    TEXT NOT NULL DEFAULT '',
    given_name     TEXT NOT NULL DEFAULT '',
    family_name    TEXT NOT NULL DEFAULT '',
    email_type     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    seq            INTEGER NOT NULL
);
CREATE UNIQUE INDEX members_org_email ON members(org_id, email_key);
CREATE UNIQUE INDEX members_org_scim_user ON members(org_id, scim_user_key) WHERE scim_user_key IS NOT NULL;
CREATE INDEX members_email ON members(email_key);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    prefix     TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sso_connections (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    protocol      TEXT NOT NULL,
    metadata_url  TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    default_role  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES members(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    method     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_attempts (
    state_hash    BLOB PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    browser_hash  BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);
