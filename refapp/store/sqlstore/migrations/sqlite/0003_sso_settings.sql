-- SAML connections keep the IdP metadata checked at save time; "Require SSO" enforcement.
ALTER TABLE sso_connections ADD COLUMN idp_metadata TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_connections ADD COLUMN enforce INTEGER NOT NULL DEFAULT 0;
