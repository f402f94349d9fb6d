package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var coreTests = []test{
	{"Orgs", testOrgs},
	{"APIKeys", testAPIKeys},
	{"SSOConnection", testSSOConnection},
	{"AuditNewestFirstPerOrg", testAudit},
}

func testOrgs(t *testing.T, st store.Store) {
	ctx := context.Background()
	want := mustOrg(t, st, "o1", "Acme")
	for name, lookup := range map[string]func() (store.Org, error){
		"by id":               func() (store.Org, error) { return st.OrgByID(ctx, "o1") },
		"by name, other case": func() (store.Org, error) { return st.OrgByName(ctx, "aCME") },
	} {
		got, err := lookup()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	conflicts := []store.Org{
		{ID: "o2", Name: "ACME", Plan: store.PlanFree, CreatedAt: t0},  // name, other case
		{ID: "o1", Name: "other", Plan: store.PlanFree, CreatedAt: t0}, // id
	}
	for _, o := range conflicts {
		if err := st.CreateOrg(ctx, o); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateOrg %+v: err = %v, want ErrConflict", o, err)
		}
	}
	if err := st.CreateOrg(ctx, store.Org{ID: "o3", Name: "Ünïcode", Plan: store.PlanEnterprise, CreatedAt: t0}); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if got, err := st.OrgByName(ctx, "üNÏCODE"); err != nil || got.ID != "o3" {
		t.Errorf("OrgByName folds beyond ASCII: got %+v, %v", got, err)
	}
	for name, lookup := range map[string]func() (store.Org, error){
		"unknown name": func() (store.Org, error) { return st.OrgByName(ctx, "nope") },
		"unknown id":   func() (store.Org, error) { return st.OrgByID(ctx, "nope") },
		"id as name":   func() (store.Org, error) { return st.OrgByName(ctx, "o1") },
	} {
		if _, err := lookup(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func testAPIKeys(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com", Role: store.RoleAdmin, Active: true})
	keys := []store.APIKey{
		{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("0123456789abcdef0123456789abcdef"),
			Scopes: []string{"org:read", "scim"}, CreatedAt: t0},
		{ID: "k2", OrgID: "o1", OwnerID: "m1", Prefix: "rk_zzzzzz", Hash: []byte("personal"),
			Scopes: []string{"scim"}, CreatedAt: t0},
	}
	for _, k := range keys {
		if err := st.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("CreateAPIKey %s: %v", k.ID, err)
		}
		got, err := st.APIKeyByHash(ctx, k.Hash)
		if err != nil {
			t.Fatalf("APIKeyByHash %s: %v", k.ID, err)
		}
		if diff := cmp.Diff(k, got); diff != "" {
			t.Errorf("api key %s (-want +got):\n%s", k.ID, diff)
		}
	}
	dup := keys[0]
	dup.ID = "k3"
	if err := st.CreateAPIKey(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateAPIKey with a taken hash: err = %v, want ErrConflict", err)
	}
	if _, err := st.APIKeyByHash(ctx, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("APIKeyByHash unknown: err = %v, want ErrNotFound", err)
	}
}

func testSSOConnection(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	if _, err := st.SSOConnection(ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOConnection before Put: err = %v, want ErrNotFound", err)
	}
	versions := []store.SSOConnection{
		{OrgID: "o1", Protocol: "oidc", MetadataURL: "https://x/.well-known/openid-configuration", Issuer: "https://x",
			ClientID: "id", ClientSecret: "s1", DefaultRole: store.RoleMember, SyncEnabled: true, UpdatedAt: t0},
		{OrgID: "o1", Protocol: "saml", MetadataURL: "https://x/app/sso/saml/metadata", Issuer: "http://www.okta.com/x",
			IdPMetadata: "<md:EntityDescriptor/>", DefaultRole: store.RoleViewer, Enforce: true, UpdatedAt: t0.Add(time.Hour)},
	}
	for i, c := range versions {
		if err := st.PutSSOConnection(ctx, c); err != nil {
			t.Fatalf("PutSSOConnection %d: %v", i, err)
		}
		got, err := st.SSOConnection(ctx, "o1")
		if err != nil {
			t.Fatalf("SSOConnection %d: %v", i, err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("sso connection %d, replaced whole (-want +got):\n%s", i, diff)
		}
	}
}

func testAudit(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "globex")
	events := []store.AuditEvent{
		{ID: "e1", OrgID: "o1", At: t0, Actor: "cli", Action: "sso.configure", Outcome: "success", Detail: "oidc"},
		{ID: "e2", OrgID: "o1", At: t0.Add(time.Minute), Actor: "okta:00u1", Action: "sso.signin", Outcome: "success"},
		{ID: "e3", OrgID: "o2", At: t0, Actor: "cli", Action: "sso.reset", Outcome: "success"},
		{ID: "e4", OrgID: "o1", At: t0.Add(-time.Second), Actor: "support", Action: "sso.refused", Outcome: "failure"},
	}
	for _, e := range events {
		if err := st.AppendAudit(ctx, e); err != nil {
			t.Fatalf("AppendAudit %s: %v", e.ID, err)
		}
	}
	got, err := st.ListAudit(ctx, "o1", 0)
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if diff := cmp.Diff([]store.AuditEvent{events[1], events[0], events[3]}, got); diff != "" {
		t.Errorf("audit of o1, newest first (-want +got):\n%s", diff)
	}
	if got, err := st.ListAudit(ctx, "o1", 1); err != nil || len(got) != 1 || got[0].ID != "e2" {
		t.Errorf("ListAudit limit 1 = %+v, %v; want e2 only", got, err)
	}
	if got, err := st.ListAudit(ctx, "nope", 0); err != nil || len(got) != 0 {
		t.Errorf("ListAudit of an unknown org = %+v, %v; want none", got, err)
	}
}
