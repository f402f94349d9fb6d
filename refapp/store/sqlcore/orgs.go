package sqlcore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// CreateOrg inserts an organization; ErrConflict when the name is taken.
func (s *Store) CreateOrg(ctx context.Context, o store.Org) error {
	_, err := s.exec(ctx, `INSERT INTO orgs (id, name, name_key, plan, created_at) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.Name, key(o.Name), string(o.Plan), o.CreatedAt)
	return s.mapErr("create org", err)
}

// OrgByID finds an organization by id.
func (s *Store) OrgByID(ctx context.Context, id string) (store.Org, error) {
	return s.scanOrg(ctx, "org by id", `SELECT id, name, plan, created_at FROM orgs WHERE id = ?`, id)
}

// OrgByName finds an organization by name, case-insensitively.
func (s *Store) OrgByName(ctx context.Context, name string) (store.Org, error) {
	return s.scanOrg(ctx, "org by name", `SELECT id, name, plan, created_at FROM orgs WHERE name_key = ?`, key(name))
}

func (s *Store) scanOrg(ctx context.Context, op, query string, arg any) (store.Org, error) {
	var o store.Org
	var plan string
	if err := s.q().QueryRowContext(ctx, query, arg).Scan(&o.ID, &o.Name, &plan, at(&o.CreatedAt)); err != nil {
		return store.Org{}, s.mapErr(op, err)
	}
	o.Plan = store.Plan(plan)
	return o, nil
}

// CreateAPIKey inserts an API key.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	_, err := s.exec(ctx, `INSERT INTO api_keys (id, org_id, owner_id, prefix, hash, scopes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.OrgID, nullable(k.OwnerID), k.Prefix, k.Hash, strings.Join(k.Scopes, " "), k.CreatedAt)
	return s.mapErr("create api key", err)
}

// APIKeyByHash finds an API key by the SHA-256 of its value.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	var k store.APIKey
	var scopes string
	var owner sql.NullString
	err := s.q().QueryRowContext(ctx, `SELECT id, org_id, owner_id, prefix, hash, scopes, created_at FROM api_keys
		WHERE hash = ?`, hash).Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &k.Hash, &scopes, at(&k.CreatedAt))
	if err != nil {
		return store.APIKey{}, s.mapErr("api key by hash", err)
	}
	k.OwnerID, k.Scopes = owner.String, strings.Fields(scopes)
	return k, nil
}

// PutSSOConnection creates or replaces an organization's SSO connection.
func (s *Store) PutSSOConnection(ctx context.Context, c store.SSOConnection) error {
	_, err := s.exec(ctx, `INSERT INTO sso_connections
		(org_id, protocol, metadata_url, issuer, client_id, client_secret, idp_metadata, default_role, enforce,
		sync_enabled, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET protocol = excluded.protocol, metadata_url = excluded.metadata_url,
		issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
		idp_metadata = excluded.idp_metadata, default_role = excluded.default_role, enforce = excluded.enforce,
		sync_enabled = excluded.sync_enabled, updated_at = excluded.updated_at`,
		c.OrgID, c.Protocol, c.MetadataURL, c.Issuer, c.ClientID, c.ClientSecret, c.IdPMetadata, string(c.DefaultRole),
		c.Enforce, c.SyncEnabled, c.UpdatedAt)
	return s.mapErr("put sso connection", err)
}

// SSOConnection returns an organization's SSO connection.
func (s *Store) SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error) {
	var c store.SSOConnection
	var role string
	err := s.q().QueryRowContext(ctx, `SELECT org_id, protocol, metadata_url, issuer, client_id, client_secret,
		idp_metadata, default_role, enforce, sync_enabled, updated_at FROM sso_connections WHERE org_id = ?`, orgID).
		Scan(&c.OrgID, &c.Protocol, &c.MetadataURL, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.IdPMetadata, &role,
			&c.Enforce, &c.SyncEnabled, at(&c.UpdatedAt))
	if err != nil {
		return store.SSOConnection{}, s.mapErr("sso connection", err)
	}
	c.DefaultRole = store.Role(role)
	return c, nil
}

// KeyGrant reads an API key with its organization and the organization's SSO connection in one query.
func (s *Store) KeyGrant(ctx context.Context, hash []byte) (store.KeyGrant, error) {
	var g store.KeyGrant
	var scopes, plan, role string
	var owner sql.NullString
	k, o, c := &g.Key, &g.Org, &g.Conn
	err := s.q().QueryRowContext(ctx, `SELECT k.id, k.org_id, k.owner_id, k.prefix, k.hash, k.scopes, k.created_at,
		o.name, o.plan, o.created_at, c.org_id IS NOT NULL, COALESCE(c.protocol, ''), COALESCE(c.metadata_url, ''),
		COALESCE(c.issuer, ''), COALESCE(c.client_id, ''), COALESCE(c.client_secret, ''), COALESCE(c.idp_metadata, ''),
		COALESCE(c.default_role, ''), COALESCE(c.enforce, FALSE), COALESCE(c.sync_enabled, FALSE), c.updated_at
		FROM api_keys k JOIN orgs o ON o.id = k.org_id LEFT JOIN sso_connections c ON c.org_id = k.org_id
		WHERE k.hash = ?`, hash).
		Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &k.Hash, &scopes, at(&k.CreatedAt), &o.Name, &plan, at(&o.CreatedAt),
			&g.HasConn, &c.Protocol, &c.MetadataURL, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.IdPMetadata, &role,
			&c.Enforce, &c.SyncEnabled, at(&c.UpdatedAt))
	if err != nil {
		return store.KeyGrant{}, s.mapErr("key grant", err)
	}
	k.OwnerID, k.Scopes = owner.String, strings.Fields(scopes)
	o.ID, o.Plan = k.OrgID, store.Plan(plan)
	if g.HasConn {
		c.OrgID, c.DefaultRole = k.OrgID, store.Role(role)
	}
	return g, nil
}

// EnsureSPKey stores k unless a key is stored, then returns the stored one.
func (s *Store) EnsureSPKey(ctx context.Context, k store.SPKey) (store.SPKey, error) {
	if _, err := s.exec(ctx, `INSERT INTO sp_key (id, private_key_pem, certificate_pem, created_at)
		VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, k.PrivateKeyPEM, k.CertificatePEM, k.CreatedAt); err != nil {
		return store.SPKey{}, s.mapErr("ensure sp key", err)
	}
	return s.SPKey(ctx)
}

// SPKey reads the stored SAML signing key.
func (s *Store) SPKey(ctx context.Context) (store.SPKey, error) {
	var k store.SPKey
	err := s.q().QueryRowContext(ctx, `SELECT private_key_pem, certificate_pem, created_at FROM sp_key WHERE id = 1`).
		Scan(&k.PrivateKeyPEM, &k.CertificatePEM, at(&k.CreatedAt))
	return k, s.mapErr("sp key", err)
}
