-- 0001: organizations, members, API keys, SSO connections, sessions, SSO login attempts.
-- The {{WORDS}} are the database's own (Dialect.Schema in sqlcore): time, byte, boolean and identity
-- types. *_key columns hold Go's strings.ToLower of the value they shadow, for case-insensitive
-- uniqueness beyond ASCII that does not depend on the database's collation. seq is the stable creation
-- order SCIM pages follow.

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    plan       TEXT NOT NULL,
    created_at {{TIME}} NOT NULL
);

CREATE TABLE members (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    display_name   TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL DEFAULT '',
    active         {{BOOL}} NOT NULL DEFAULT TRUE,
    scim_user_name TEXT,
    scim_user_key  TEXT,
    external_id    TEXT NOT NULL DEFAULT '',
    given_name     TEXT NOT NULL DEFAULT '',
    family_name    TEXT NOT NULL DEFAULT '',
    email_type     TEXT NOT NULL DEFAULT '',
    created_at     {{TIME}} NOT NULL,
    updated_at     {{TIME}} NOT NULL,
    seq            {{SEQ}}
);
CREATE UNIQUE INDEX members_org_email ON members(org_id, email_key);
CREATE UNIQUE INDEX members_org_scim_user ON members(org_id, scim_user_key) WHERE scim_user_key IS NOT NULL;
CREATE INDEX members_email ON members(email_key);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    prefix     TEXT NOT NULL,
    hash       {{BYTES}} NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_at {{TIME}} NOT NULL
);

CREATE TABLE sso_connections (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    protocol      TEXT NOT NULL,
    metadata_url  TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    default_role  TEXT NOT NULL,
    updated_at    {{TIME}} NOT NULL
);

CREATE TABLE sessions (
    token_hash {{BYTES}} PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES members(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    method     TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL
);

CREATE TABLE login_attempts (
    state_hash    {{BYTES}} PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    browser_hash  {{BYTES}} NOT NULL,
    created_at    {{TIME}} NOT NULL,
    expires_at    {{TIME}} NOT NULL,
    used_at       {{TIME}}
);
