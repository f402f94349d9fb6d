-- 0002: the complete SCIM server. Members get their SCIM email list (emails_json, as sent, with an
-- index table member_emails for emails.value filters), a formatted name and a display-name key;
-- API keys may belong to a member (personal keys); SSO connections get the "Sync the group & users
-- from your SSO provider" setting; groups are the org's teams (teams, team_members). Indexes serve
-- the SCIM filters and the stable creation-order paging (seq). The *_key columns hold Go's
-- strings.ToLower of what they shadow; the backfill below uses SQL lower(), which may fold otherwise
-- (rows written from now on are folded by Go).

ALTER TABLE members ADD COLUMN emails_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN formatted_name TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN display_key TEXT NOT NULL DEFAULT '';
UPDATE members SET display_key = lower(display_name);
UPDATE members SET emails_json = {{EMAILS_OF_EMAIL}}
    WHERE scim_user_key IS NOT NULL;

CREATE TABLE member_emails (
    member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    org_id    TEXT NOT NULL,
    value_key TEXT NOT NULL
);
CREATE INDEX member_emails_org_value ON member_emails(org_id, value_key);
CREATE INDEX member_emails_member ON member_emails(member_id);
INSERT INTO member_emails (member_id, org_id, value_key)
    SELECT id, org_id, email_key FROM members WHERE scim_user_key IS NOT NULL;

CREATE INDEX members_seq ON members(seq);
CREATE INDEX members_org_seq ON members(org_id, seq);
CREATE INDEX members_org_external ON members(org_id, external_id);
CREATE INDEX members_org_display ON members(org_id, display_key);
CREATE INDEX sessions_member ON sessions(member_id);

ALTER TABLE api_keys ADD COLUMN owner_id TEXT REFERENCES members(id);
CREATE INDEX api_keys_owner ON api_keys(owner_id);

ALTER TABLE sso_connections ADD COLUMN sync_enabled {{BOOL}} NOT NULL DEFAULT FALSE;

CREATE TABLE teams (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    display_name TEXT NOT NULL,
    display_key  TEXT NOT NULL,
    external_id  TEXT NOT NULL DEFAULT '',
    created_at   {{TIME}} NOT NULL,
    updated_at   {{TIME}} NOT NULL,
    seq          {{SEQ}}
);
CREATE UNIQUE INDEX teams_org_display ON teams(org_id, display_key);
CREATE INDEX teams_seq ON teams(seq);
CREATE INDEX teams_org_seq ON teams(org_id, seq);
CREATE INDEX teams_org_external ON teams(org_id, external_id);

CREATE TABLE team_members (
    team_id   TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (team_id, member_id)
);
CREATE INDEX team_members_member ON team_members(member_id);
