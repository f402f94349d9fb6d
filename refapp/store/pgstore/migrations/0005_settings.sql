-- 0005 (mirrors sqlite/0005_settings.sql): API key last use, account-linking invitations and the mail
-- outbox. SQLite keeps the next attempt in Unix nanoseconds (next_attempt_ns) so it orders numerically;
-- timestamptz orders as it is (next_attempt_at). seq is the outbox's order.
ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMPTZ;

CREATE TABLE link_tokens (
    hash       BYTEA PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX link_tokens_member ON link_tokens(member_id);

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMPTZ,
    seq             BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);
