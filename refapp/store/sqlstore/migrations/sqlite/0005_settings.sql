-- Organization settings: API key last use, account-linking invitations and the mail outbox.
-- Times used in comparisons (next_attempt_ns) are Unix nanoseconds, so they order numerically.
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;

CREATE TABLE link_tokens (
    hash       BLOB PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX link_tokens_member ON link_tokens(member_id);

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    seq             INTEGER NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_ns);
