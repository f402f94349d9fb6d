-- SAML connections keep the IdP metadata checked at save time; "Require SSO" enforcement.
ALTER TABLE sso_connections ADD COLUMN idp_metadata TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_connections ADD COLUMN enforce {{BOOL}} NOT NULL DEFAULT FALSE;

CREATE TABLE audit_events (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL REFERENCES orgs(id),
    at      {{TIME}} NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX audit_events_org_at ON audit_events(org_id, at);
