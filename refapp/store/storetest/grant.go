package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	if err := st.CreateAPIKey(ctx, key); err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	got, err := st.KeyGrant(ctx, key.Hash)
	if err != nil {
		t.Fatalf("KeyGrant without a connection: %v", err)
	}
	if diff := cmp.Diff(store.KeyGrant{Key: key, Org: org}, got); diff != "" {
		t.Errorf("grant without a connection (-want +got):\n%s", diff)
	}
	conn := store.SSOConnection{OrgID: "o1", Protocol: "oidc", MetadataURL: "https://x/.well-known/openid-configuration",
		Issuer: "https://x", ClientID: "id", ClientSecret: "s1", DefaultRole: store.RoleViewer, Enforce: true,
		SyncEnabled: true, UpdatedAt: t0}
	if err := st.PutSSOConnection(ctx, conn); err != nil {
		t.Fatalf("PutSSOConnection: %v", err)
	}
	if got, err = st.KeyGrant(ctx, key.Hash); err != nil {
		t.Fatalf("KeyGrant: %v", err)
	}
	if diff := cmp.Diff(store.KeyGrant{Key: key, Org: org, Conn: conn, HasConn: true}, got); diff != "" {
		t.Errorf("grant (-want +got):\n%s", diff)
	}
	if _, err := st.KeyGrant(ctx, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyGrant of an unknown key: err = %v, want ErrNotFound", err)
	}
	if err := st.RevokeAPIKey(ctx, "o1", "k1"); err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	if _, err := st.KeyGrant(ctx, key.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyGrant of a revoked key: err = %v, want ErrNotFound", err)
	}
}
