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
