package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func testOrgs(t *testing.T, st store.Store) {
	acme := mustOrg(t, st, "o1", "Acme")
	wants(t, "by id", acme)(st.OrgByID(ctx, "o1"))
	wants(t, "by name, other case", acme)(st.OrgByName(ctx, "aCME"))
	uni := store.Org{ID: "o3", Name: "Ünïcode", Plan: store.PlanEnterprise, CreatedAt: t0}
	checkErrs(t, []check{
		{"CreateOrg, name of another case", st.CreateOrg(ctx, store.Org{ID: "o2", Name: "ACME", Plan: store.PlanFree,
			CreatedAt: t0}), store.ErrConflict},
		{"CreateOrg, taken id", st.CreateOrg(ctx, store.Org{ID: "o1", Name: "other", Plan: store.PlanFree,
			CreatedAt: t0}), store.ErrConflict},
		{"CreateOrg", st.CreateOrg(ctx, uni), nil},
		{"unknown name", errOf(st.OrgByName(ctx, "nope")), store.ErrNotFound},
		{"unknown id", errOf(st.OrgByID(ctx, "nope")), store.ErrNotFound},
		{"id as name", errOf(st.OrgByName(ctx, "o1")), store.ErrNotFound},
	})
	wants(t, "OrgByName folds beyond ASCII", uni)(st.OrgByName(ctx, "üNÏCODE"))
}

// testAPIKeys: keys read back whole by hash, listed newest first with their last use, and revoked.
func testAPIKeys(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	mustMembers(t, st, member("m1", "o1", "a@acme.test"))
	keys := []store.APIKey{
		{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("0123456789abcdef0123456789abcdef"),
			Scopes: []string{"org:read", "scim"}, CreatedAt: t0},
		{ID: "k2", OrgID: "o1", OwnerID: "m1", Prefix: "rk_zzzzzz", Hash: []byte("personal"),
			Scopes: []string{"org:read", "org:write"}, CreatedAt: t0.Add(time.Minute)},
		{ID: "k3", OrgID: "o2", Prefix: "rk_3", Hash: []byte("h3"), Scopes: []string{"scim"}, CreatedAt: t0},
	}
	for _, k := range keys {
		Must(t, st.CreateAPIKey(ctx, k))
		wants(t, "api key "+k.ID, k)(st.APIKeyByHash(ctx, k.Hash))
	}
	dup := keys[0]
	dup.ID = "k4"
	checkErrs(t, []check{
		{"CreateAPIKey with a taken hash", st.CreateAPIKey(ctx, dup), store.ErrConflict},
		{"APIKeyByHash unknown", errOf(st.APIKeyByHash(ctx, []byte("other"))), store.ErrNotFound},
	})
	used := t0.Add(2 * time.Minute)
	Must(t, st.TouchAPIKey(ctx, "k1", used))
	got, err := st.ListAPIKeys(ctx, "o1")
	Must(t, err)
	// The list is for display: hashes need not be read back.
	same(t, "ListAPIKeys, newest first", []store.APIKeyUse{{APIKey: keys[1]}, {APIKey: keys[0], LastUsedAt: used}}, got,
		cmp.Transformer("nohash", func(k store.APIKey) store.APIKey {
			k.Hash = nil
			return k
		}))
	checkErrs(t, []check{
		{"RevokeAPIKey from another org", st.RevokeAPIKey(ctx, "o2", "k1"), store.ErrNotFound},
		{"RevokeAPIKey", st.RevokeAPIKey(ctx, "o1", "k1"), nil},
		{"a revoked key still authenticates", errOf(st.APIKeyByHash(ctx, keys[0].Hash)), store.ErrNotFound},
		{"RevokeAPIKey twice", st.RevokeAPIKey(ctx, "o1", "k1"), store.ErrNotFound},
	})
}

func testSSOConnection(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	checkErrs(t, []check{
		{"SSOConnection before Put", errOf(st.SSOConnection(ctx, "o1")), store.ErrNotFound},
		{"DeleteSSOConnection without one", st.DeleteSSOConnection(ctx, "o1"), store.ErrNotFound},
	})
	versions := []store.SSOConnection{
		{OrgID: "o1", Protocol: "oidc", MetadataURL: "https://x/.well-known/openid-configuration", Issuer: "https://x",
			ClientID: "id", ClientSecret: "s1", DefaultRole: store.RoleMember, SyncEnabled: true, UpdatedAt: t0},
		{OrgID: "o1", Protocol: "saml", MetadataURL: "https://x/app/sso/saml/metadata", Issuer: "http://www.okta.com/x",
			IdPMetadata: "<md:EntityDescriptor/>", DefaultRole: store.RoleViewer, Enforce: true, UpdatedAt: t0.Add(time.Hour)},
	}
	for i, c := range versions {
		Must(t, st.PutSSOConnection(ctx, c))
		wants(t, "sso connection "+c.Protocol+", replaced whole", versions[i])(st.SSOConnection(ctx, "o1"))
	}
	checkErrs(t, []check{
		{"DeleteSSOConnection", st.DeleteSSOConnection(ctx, "o1"), nil},
		{"SSOConnection after delete", errOf(st.SSOConnection(ctx, "o1")), store.ErrNotFound},
	})
}

func testAudit(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	events := []store.AuditEvent{
		{ID: "e1", OrgID: "o1", At: t0, Actor: "cli", Action: "sso.configure", Outcome: "success", Detail: "oidc"},
		{ID: "e2", OrgID: "o1", At: t0.Add(time.Minute), Actor: "okta:00u1", Action: "sso.signin", Outcome: "success"},
		{ID: "e3", OrgID: "o2", At: t0, Actor: "cli", Action: "sso.reset", Outcome: "success"},
		{ID: "e4", OrgID: "o1", At: t0.Add(-time.Second), Actor: "support", Action: "sso.refused", Outcome: "failure"},
	}
	for _, e := range events {
		Must(t, st.AppendAudit(ctx, e))
	}
	wants(t, "audit of o1, newest first", []store.AuditEvent{events[1], events[0], events[3]})(st.ListAudit(ctx, "o1", 0))
	wants(t, "ListAudit limit 1", events[1:2])(st.ListAudit(ctx, "o1", 1))
	wants(t, "ListAudit of an unknown org", []store.AuditEvent(nil))(st.ListAudit(ctx, "nope", 0))
}

// testKeyGrant: KeyGrant returns the key, its org and the org's connection, and says when the org has
// none; a grant one handle has read (and may keep) changes the moment the other makes the connection,
// turns sync off, removes the connection or revokes the key.
func testKeyGrant(t *testing.T, a, b store.Store) {
	org := mustOrg(t, a, "o1", "acme")
	key := store.APIKey{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("grant-hash"), Scopes: []string{"scim"},
		CreatedAt: t0}
	Must(t, a.CreateAPIKey(ctx, key))
	wants(t, "grant without a connection", store.KeyGrant{Key: key, Org: org})(a.KeyGrant(ctx, key.Hash))
	grant := store.KeyGrant{Key: key, Org: org, HasConn: true, Conn: store.SSOConnection{OrgID: "o1", Protocol: "oidc",
		MetadataURL: "https://x/.well-known/openid-configuration", Issuer: "https://x", ClientID: "id", ClientSecret: "s1",
		DefaultRole: store.RoleViewer, Enforce: true, SyncEnabled: true, UpdatedAt: t0}}
	Must(t, b.PutSSOConnection(ctx, grant.Conn))
	wants(t, "grant once the other handle made the connection", grant)(a.KeyGrant(ctx, key.Hash))
	grant.Conn.SyncEnabled = false
	Must(t, b.PutSSOConnection(ctx, grant.Conn))
	wants(t, "grant once the other handle turned sync off", grant)(a.KeyGrant(ctx, key.Hash))
	Must(t, b.DeleteSSOConnection(ctx, "o1"))
	wants(t, "grant once the other handle removed it", store.KeyGrant{Key: key, Org: org})(a.KeyGrant(ctx, key.Hash))
	checkErrs(t, []check{
		{"KeyGrant of an unknown key", errOf(a.KeyGrant(ctx, []byte("other"))), store.ErrNotFound},
		{"RevokeAPIKey through the other handle", b.RevokeAPIKey(ctx, "o1", "k1"), nil},
		{"KeyGrant of the key the other handle revoked", errOf(a.KeyGrant(ctx, key.Hash)), store.ErrNotFound},
	})
}
