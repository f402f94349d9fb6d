package pgstore

import (
	"context"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// CreateOrg inserts an organization; ErrConflict when the name is taken.
func (s *Store) CreateOrg(ctx context.Context, o store.Org) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO orgs (id, name, name_key, plan, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Name, key(o.Name), string(o.Plan), o.CreatedAt)
	return mapErr("create org", err)
}

// OrgByID finds an organization by id.
func (s *Store) OrgByID(ctx context.Context, id string) (store.Org, error) {
	return s.scanOrg(ctx, "org by id", `SELECT id, name, plan, created_at FROM orgs WHERE id = $1`, id)
}

// OrgByName finds an organization by name, case-insensitively.
func (s *Store) OrgByName(ctx context.Context, name string) (store.Org, error) {
	return s.scanOrg(ctx, "org by name", `SELECT id, name, plan, created_at FROM orgs WHERE name_key = $1`, key(name))
}

func (s *Store) scanOrg(ctx context.Context, op, query string, arg any) (store.Org, error) {
	var o store.Org
	var plan string
	if err := s.pool.QueryRow(ctx, query, arg).Scan(&o.ID, &o.Name, &plan, &o.CreatedAt); err != nil {
		return store.Org{}, mapErr(op, err)
	}
	o.Plan, o.CreatedAt = store.Plan(plan), utc(o.CreatedAt)
	return o, nil
}

// CreateAPIKey inserts an API key.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO api_keys (id, org_id, owner_id, prefix, hash, scopes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.OrgID, nullable(k.OwnerID), k.Prefix, k.Hash, strings.Join(k.Scopes, " "), k.CreatedAt)
	return mapErr("create api key", err)
}

// APIKeyByHash finds an API key by the SHA-256 of its value.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	var k store.APIKey
	var scopes string
	var owner *string
	err := s.pool.QueryRow(ctx, `SELECT id, org_id, owner_id, prefix, hash, scopes, created_at FROM api_keys
		WHERE hash = $1`, hash).Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &k.Hash, &scopes, &k.CreatedAt)
	if err != nil {
		return store.APIKey{}, mapErr("api key by hash", err)
	}
	if owner != nil {
		k.OwnerID = *owner
	}
	k.Scopes, k.CreatedAt = strings.Fields(scopes), utc(k.CreatedAt)
	return k, nil
}

// PutSSOConnection creates or replaces an organization's SSO connection.
func (s *Store) PutSSOConnection(ctx context.Context, c store.SSOConnection) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sso_connections
		(org_id, protocol, metadata_url, issuer, client_id, client_secret, idp_metadata, default_role, enforce,
		sync_enabled, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (org_id) DO UPDATE SET protocol = excluded.protocol, metadata_url = excluded.metadata_url,
		issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
		idp_metadata = excluded.idp_metadata, default_role = excluded.default_role, enforce = excluded.enforce,
		sync_enabled = excluded.sync_enabled, updated_at = excluded.updated_at`,
		c.OrgID, c.Protocol, c.MetadataURL, c.Issuer, c.ClientID, c.ClientSecret, c.IdPMetadata, string(c.DefaultRole),
		c.Enforce, c.SyncEnabled, c.UpdatedAt)
	return mapErr("put sso connection", err)
}

// SSOConnection returns an organization's SSO connection.
func (s *Store) SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error) {
	var c store.SSOConnection
	var role string
	err := s.pool.QueryRow(ctx, `SELECT org_id, protocol, metadata_url, issuer, client_id, client_secret,
		idp_metadata, default_role, enforce, sync_enabled, updated_at FROM sso_connections WHERE org_id = $1`, orgID).
		Scan(&c.OrgID, &c.Protocol, &c.MetadataURL, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.IdPMetadata, &role,
			&c.Enforce, &c.SyncEnabled, &c.UpdatedAt)
	if err != nil {
		return store.SSOConnection{}, mapErr("sso connection", err)
	}
	c.DefaultRole, c.UpdatedAt = store.Role(role), utc(c.UpdatedAt)
	return c, nil
}
