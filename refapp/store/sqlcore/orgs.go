package sqlcore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) CreateOrg(ctx context.Context, o store.Org) error {
	return s.write(ctx, "create org", `INSERT INTO orgs (id, name, name_key, plan, created_at) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.Name, key(o.Name), string(o.Plan), o.CreatedAt)
}

const orgCols = `id, name, plan, created_at`

var scanOrg = fields(func(o *store.Org) []any { return []any{&o.ID, &o.Name, &o.Plan, at(&o.CreatedAt)} })

func (s *Store) OrgByID(ctx context.Context, id string) (store.Org, error) {
	return get(ctx, s, "org by id", scanOrg, `SELECT `+orgCols+` FROM orgs WHERE id = ?`, id)
}

func (s *Store) OrgByName(ctx context.Context, name string) (store.Org, error) {
	return get(ctx, s, "org by name", scanOrg, `SELECT `+orgCols+` FROM orgs WHERE name_key = ?`, key(name))
}

// SetOrgPlan changes an organization's plan (a support operation: `refapp org plan`).
func (s *Store) SetOrgPlan(ctx context.Context, orgID string, plan store.Plan) error {
	return s.writeOne(ctx, "set org plan", `UPDATE orgs SET plan = ? WHERE id = ?`, string(plan), orgID)
}

func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	return s.write(ctx, "create api key", `INSERT INTO api_keys (id, org_id, owner_id, prefix, hash, scopes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.OrgID, nullable(k.OwnerID), k.Prefix, k.Hash, strings.Join(k.Scopes, " "), k.CreatedAt)
}

// keyCols are an API key's columns (alias k) but its last use.
const keyCols = `k.id, k.org_id, COALESCE(k.owner_id, ''), k.prefix, k.hash, k.scopes, k.created_at`

// keyDest is where keyCols scan to; words(scopes) are the key's Scopes.
func keyDest(k *store.APIKey, scopes *string) []any {
	return []any{&k.ID, &k.OrgID, &k.OwnerID, &k.Prefix, &k.Hash, scopes, at(&k.CreatedAt)}
}

func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	return get(ctx, s, "api key by hash", func(sc scanner) (k store.APIKey, err error) {
		var scopes string
		err = sc.Scan(keyDest(&k, &scopes)...)
		k.Scopes = strings.Fields(scopes)
		return k, err
	}, `SELECT `+keyCols+` FROM api_keys k WHERE k.hash = ?`, hash)
}

// PutSSOConnection creates or replaces an organization's SSO connection.
func (s *Store) PutSSOConnection(ctx context.Context, c store.SSOConnection) error {
	return s.write(ctx, "put sso connection", `INSERT INTO sso_connections
		(org_id, protocol, metadata_url, issuer, client_id, client_secret, idp_metadata, default_role, enforce,
		sync_enabled, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET protocol = excluded.protocol, metadata_url = excluded.metadata_url,
		issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
		idp_metadata = excluded.idp_metadata, default_role = excluded.default_role, enforce = excluded.enforce,
		sync_enabled = excluded.sync_enabled, updated_at = excluded.updated_at`,
		c.OrgID, c.Protocol, c.MetadataURL, c.Issuer, c.ClientID, c.ClientSecret, c.IdPMetadata, string(c.DefaultRole),
		c.Enforce, c.SyncEnabled, c.UpdatedAt)
}

// connCols are an SSO connection's columns but its org_id (alias c), NULL-safe for an outer join.
const connCols = `COALESCE(c.protocol, ''), COALESCE(c.metadata_url, ''), COALESCE(c.issuer, ''),
	COALESCE(c.client_id, ''), COALESCE(c.client_secret, ''), COALESCE(c.idp_metadata, ''),
	COALESCE(c.default_role, ''), COALESCE(c.enforce, FALSE), COALESCE(c.sync_enabled, FALSE), c.updated_at`

func connDest(c *store.SSOConnection) []any {
	return []any{&c.Protocol, &c.MetadataURL, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.IdPMetadata, &c.DefaultRole,
		&c.Enforce, &c.SyncEnabled, at(&c.UpdatedAt)}
}

func (s *Store) SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error) {
	return get(ctx, s, "sso connection", fields(func(c *store.SSOConnection) []any {
		return append([]any{&c.OrgID}, connDest(c)...)
	}), `SELECT c.org_id, `+connCols+` FROM sso_connections c WHERE c.org_id = ?`, orgID)
}

// keyGrant reads an API key with its organization and the organization's SSO connection in one query.
func (s *Store) keyGrant(ctx context.Context, hash []byte) (store.KeyGrant, error) {
	return get(ctx, s, "key grant", func(sc scanner) (g store.KeyGrant, err error) {
		var scopes string
		dest := append(keyDest(&g.Key, &scopes), &g.Org.Name, &g.Org.Plan, at(&g.Org.CreatedAt), &g.HasConn)
		err = sc.Scan(append(dest, connDest(&g.Conn)...)...)
		g.Key.Scopes, g.Org.ID = strings.Fields(scopes), g.Key.OrgID
		if g.HasConn {
			g.Conn.OrgID = g.Key.OrgID
		}
		return g, err
	}, `SELECT `+keyCols+`, o.name, o.plan, o.created_at, c.org_id IS NOT NULL, `+connCols+`
		FROM api_keys k JOIN orgs o ON o.id = k.org_id LEFT JOIN sso_connections c ON c.org_id = k.org_id
		WHERE k.hash = ?`, hash)
}

func (s *Store) EnsureSPKey(ctx context.Context, k store.SPKey) (store.SPKey, error) {
	if err := s.write(ctx, "ensure sp key", `INSERT INTO sp_key (id, private_key_pem, certificate_pem, created_at)
		VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, k.PrivateKeyPEM, k.CertificatePEM, k.CreatedAt); err != nil {
		return store.SPKey{}, err
	}
	return s.SPKey(ctx)
}

func (s *Store) SPKey(ctx context.Context) (store.SPKey, error) {
	return get(ctx, s, "sp key", fields(func(k *store.SPKey) []any {
		return []any{&k.PrivateKeyPEM, &k.CertificatePEM, at(&k.CreatedAt)}
	}), `SELECT private_key_pem, certificate_pem, created_at FROM sp_key WHERE id = 1`)
}

// grantTables are the tables keyGrant reads: any change to them may change a grant.
var grantTables = []string{"api_keys", "orgs", "sso_connections"}

// grantTriggers are the dialect's triggers bumping the grant epoch after every change to grantTables.
func (d *Dialect) grantTriggers() string {
	if d.GrantTrigger == nil {
		return ""
	}
	var b strings.Builder
	for _, table := range grantTables {
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			b.WriteString(d.GrantTrigger(table, event, "UPDATE grant_epoch SET n = n + 1") + "\n")
		}
	}
	return b.String()
}

// grantCache keeps KeyGrant's answers for one grant epoch (migration 0007), when the dialect has a
// GrantTrigger. Every call still reads the epoch, one row instead of a three-table join, and a new
// epoch empties the cache, so a revoked key, a changed plan or a connection turned off counts at once,
// whichever process on the database made the change. Only found grants are kept, at most maxCachedGrants.
type grantCache struct {
	mu     sync.Mutex
	epoch  int
	grants map[string]store.KeyGrant
}

const maxCachedGrants = 1024

func (s *Store) KeyGrant(ctx context.Context, hash []byte) (store.KeyGrant, error) {
	if s.d.GrantTrigger == nil {
		return s.keyGrant(ctx, hash)
	}
	epoch, err := get(ctx, s, "grant epoch", count, `SELECT n FROM grant_epoch WHERE id = 1`)
	if err != nil {
		return store.KeyGrant{}, err
	}
	c := &s.grants
	c.mu.Lock()
	if epoch != c.epoch || len(c.grants) >= maxCachedGrants {
		c.epoch, c.grants = epoch, map[string]store.KeyGrant{}
	}
	g, ok := c.grants[string(hash)]
	c.mu.Unlock()
	if !ok {
		if g, err = s.keyGrant(ctx, hash); err != nil { // read after the epoch, so at least as new as it
			return g, err
		}
		c.mu.Lock()
		if epoch == c.epoch { // else the epoch moved on during the read
			c.grants[string(hash)] = g
		}
		c.mu.Unlock()
	}
	g.Key.Scopes = slices.Clone(g.Key.Scopes)
	return g, nil
}
