-- SAML sign-in (request ID for InResponseTo, handoff result), account linking, linked identities and the
-- SAML assertion-ID replay cache.
ALTER TABLE login_attempts ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN link_member_id TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN result TEXT NOT NULL DEFAULT '';

CREATE TABLE sso_identities (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    protocol   TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    PRIMARY KEY (org_id, issuer, subject)
);
CREATE INDEX sso_identities_member ON sso_identities(member_id);

CREATE TABLE saml_assertions (
    key        {{BYTES}} PRIMARY KEY,
    expires_at {{TIME}} NOT NULL
);
CREATE INDEX saml_assertions_expires ON saml_assertions(expires_at);
