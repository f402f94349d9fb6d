-- The SAML service provider's signing key pair: one row for the deployment (id is always 1).
CREATE TABLE sp_key (
    id              INTEGER PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at      {{TIME}} NOT NULL
);
