package storetest

import (
	"context"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var grantTests = []test{
	{"KeyGrantJoinsKeyOrgAndConnection", testKeyGrant},
}

// testKeyGrant: KeyGrant returns what APIKeyByHash, OrgByID and SSOConnection return, says when the org
// has no connection, and stops finding a key the moment it is revoked.
func testKeyGrant(t *testing.T, st store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "o1", "acme")
	key := store.APIKey{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("grant-hash"), Scopes: []string{"scim"},
		CreatedAt: t0}
	must(t, st.CreateAPIKey(ctx, key))
	wants(t, "grant without a connection", store.KeyGrant{Key: key, Org: org})(st.KeyGrant(ctx, key.Hash))
	conn := store.SSOConnection{OrgID: "o1", Protocol: "oidc", MetadataURL: "https://x/.well-known/openid-configuration",
		Issuer: "https://x", ClientID: "id", ClientSecret: "s1", DefaultRole: store.RoleViewer, Enforce: true,
		SyncEnabled: true, UpdatedAt: t0}
	must(t, st.PutSSOConnection(ctx, conn))
	wants(t, "grant", store.KeyGrant{Key: key, Org: org, Conn: conn, HasConn: true})(st.KeyGrant(ctx, key.Hash))
	checkErrs(t, []check{
		{"KeyGrant of an unknown key", errOf(st.KeyGrant(ctx, []byte("other"))), store.ErrNotFound},
		{"RevokeAPIKey", st.RevokeAPIKey(ctx, "o1", "k1"), nil},
		{"KeyGrant of a revoked key", errOf(st.KeyGrant(ctx, key.Hash)), store.ErrNotFound},
	})
}
