-- Organization settings: API key last use, account-linking invitations and the mail outbox.
-- The next attempt is compared in SQL: {{SORTABLE_TIME}} orders as time does (Unix nanoseconds on SQLite).
ALTER TABLE api_keys ADD COLUMN last_used_at {{TIME}};

CREATE TABLE link_tokens (
    hash       {{BYTES}} PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL,
    used_at    {{TIME}}
);
CREATE INDEX link_tokens_member ON link_tokens(member_id);

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      {{TIME}} NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{SORTABLE_TIME}} NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         {{TIME}},
    seq             {{SEQ}}
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);
