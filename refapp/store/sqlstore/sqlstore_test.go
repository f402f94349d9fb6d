package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)

func open(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "refapp.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func mustOrg(t *testing.T, st store.Store, id, name string) store.Org {
	t.Helper()
	o := store.Org{ID: id, Name: name, Plan: store.PlanPro, CreatedAt: t0}
	if err := st.CreateOrg(context.Background(), o); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	return o
}

func TestOpenTwiceKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "refapp.db")
	st, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustOrg(t, st, "o1", "acme")
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if _, err := st.OrgByName(ctx, "ACME"); err != nil {
		t.Fatalf("OrgByName after reopen: %v", err)
	}
}

func TestOrgs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	want := mustOrg(t, st, "o1", "Acme")
	for _, lookup := range []func() (store.Org, error){
		func() (store.Org, error) { return st.OrgByID(ctx, "o1") },
		func() (store.Org, error) { return st.OrgByName(ctx, "acme") },
	} {
		got, err := lookup()
		if err != nil {
			t.Fatalf("lookup: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("org (-want +got):\n%s", diff)
		}
	}
	if err := st.CreateOrg(ctx, store.Org{ID: "o2", Name: "ACME", Plan: store.PlanFree, CreatedAt: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateOrg duplicate name: err = %v, want ErrConflict", err)
	}
	if _, err := st.OrgByName(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OrgByName unknown: err = %v, want ErrNotFound", err)
	}
}

func TestMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	ada := store.Member{ID: "m1", OrgID: "o1", Email: "Ada@Example.com", DisplayName: "Ada Lovelace",
		Role: store.RoleAdmin, PasswordHash: "h", Active: true, SCIMUserName: "Ada@Example.com",
		ExternalID: "00u1", GivenName: "Ada", FamilyName: "Lovelace", FormattedName: "Ada Lovelace",
		Emails:    []store.Email{{Value: "Ada@Example.com", Type: "work", Primary: true}, {Value: "ada@home.test", Type: "home"}},
		CreatedAt: t0, UpdatedAt: t0}
	bob := store.Member{ID: "m2", OrgID: "o1", Email: "bob@example.com", Role: store.RoleMember, Active: true,
		CreatedAt: t0, UpdatedAt: t0}
	ada2 := store.Member{ID: "m3", OrgID: "o2", Email: "ada@example.com", Role: store.RoleViewer, Active: true,
		SCIMUserName: "ada@example.com", CreatedAt: t0, UpdatedAt: t0}
	for _, m := range []store.Member{ada, bob, ada2} {
		if err := st.CreateMember(ctx, m); err != nil {
			t.Fatalf("CreateMember %s: %v", m.ID, err)
		}
	}
	tests := []struct {
		name   string
		lookup func() (store.Member, error)
		want   store.Member
	}{
		{"by id", func() (store.Member, error) { return st.MemberByID(ctx, "o1", "m1") }, ada},
		{"by email, other case", func() (store.Member, error) { return st.MemberByEmail(ctx, "o1", "ADA@example.COM") }, ada},
		{"by userName, other case", func() (store.Member, error) { return st.MemberBySCIMUserName(ctx, "o1", "ada@EXAMPLE.com") }, ada},
		{"second org", func() (store.Member, error) { return st.MemberByEmail(ctx, "o2", "ada@example.com") }, ada2},
	}
	for _, tt := range tests {
		got, err := tt.lookup()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := st.MemberByID(ctx, "o2", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MemberByID in other org: err = %v, want ErrNotFound", err)
	}
	if _, err := st.MemberBySCIMUserName(ctx, "o1", "bob@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MemberBySCIMUserName for member without SCIM identity: err = %v, want ErrNotFound", err)
	}
	conflicts := []store.Member{
		{ID: "m4", OrgID: "o1", Email: "BOB@example.com", Role: store.RoleMember, CreatedAt: t0, UpdatedAt: t0},
		{ID: "m5", OrgID: "o1", Email: "x@example.com", SCIMUserName: "ADA@example.com", Role: store.RoleMember, CreatedAt: t0, UpdatedAt: t0},
	}
	for _, m := range conflicts {
		if err := st.CreateMember(ctx, m); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateMember %s: err = %v, want ErrConflict", m.ID, err)
		}
	}
	all, err := st.MembersByEmail(ctx, "ADA@example.com")
	if err != nil {
		t.Fatalf("MembersByEmail: %v", err)
	}
	if diff := cmp.Diff([]store.Member{ada, ada2}, all); diff != "" {
		t.Errorf("MembersByEmail (-want +got):\n%s", diff)
	}
	bob.DisplayName, bob.SCIMUserName, bob.Active, bob.UpdatedAt = "Bob", "bob", false, t0.Add(time.Hour)
	if err := st.UpdateMember(ctx, bob); err != nil {
		t.Fatalf("UpdateMember: %v", err)
	}
	page, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Offset: 1, Limit: 10})
	if err != nil {
		t.Fatalf("ListSCIMMembers: %v", err)
	}
	if diff := cmp.Diff([]store.Member{bob}, page); diff != "" || total != 2 {
		t.Errorf("ListSCIMMembers offset 1: total %d, want 2; (-want +got):\n%s", total, diff)
	}
	if err := st.UpdateMember(ctx, store.Member{ID: "nope", OrgID: "o1", Email: "n@example.com"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateMember unknown: err = %v, want ErrNotFound", err)
	}
}

func TestAPIKeysAndSSO(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	if err := st.CreateMember(ctx, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com", Role: store.RoleAdmin,
		Active: true, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	k := store.APIKey{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("0123456789abcdef0123456789abcdef"),
		Scopes: []string{"org:read", "scim"}, CreatedAt: t0}
	personal := store.APIKey{ID: "k2", OrgID: "o1", OwnerID: "m1", Prefix: "rk_zzzzzz", Hash: []byte("personal"),
		Scopes: []string{"scim"}, CreatedAt: t0}
	for _, k := range []store.APIKey{k, personal} {
		if err := st.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		got, err := st.APIKeyByHash(ctx, k.Hash)
		if err != nil {
			t.Fatalf("APIKeyByHash: %v", err)
		}
		if diff := cmp.Diff(k, got); diff != "" {
			t.Errorf("api key (-want +got):\n%s", diff)
		}
	}
	if _, err := st.APIKeyByHash(ctx, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("APIKeyByHash unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := st.SSOConnection(ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOConnection before set: err = %v, want ErrNotFound", err)
	}
	c := store.SSOConnection{OrgID: "o1", Protocol: "oidc", MetadataURL: "https://x/.well-known/openid-configuration",
		Issuer: "https://x", ClientID: "id", ClientSecret: "s1", IdPMetadata: "<md/>", DefaultRole: store.RoleMember, Enforce: true,
		SyncEnabled: true, UpdatedAt: t0}
	for _, secret := range []string{"s1", "s2"} {
		c.ClientSecret = secret
		if err := st.PutSSOConnection(ctx, c); err != nil {
			t.Fatalf("PutSSOConnection: %v", err)
		}
		got, err := st.SSOConnection(ctx, "o1")
		if err != nil {
			t.Fatalf("SSOConnection: %v", err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("sso connection (-want +got):\n%s", diff)
		}
	}
}

func TestSessionsAndLoginAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	if err := st.CreateMember(ctx, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com", Role: store.RoleMember,
		CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	se := store.Session{TokenHash: []byte("hash"), MemberID: "m1", OrgID: "o1", Method: "password", CreatedAt: t0,
		ExpiresAt: t0.Add(time.Hour)}
	if err := st.CreateSession(ctx, se); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	got, err := st.SessionByHash(ctx, se.TokenHash)
	if err != nil || !cmp.Equal(se, got) {
		t.Fatalf("SessionByHash = %+v, %v; want %+v", got, err, se)
	}
	if err := st.DeleteSession(ctx, se.TokenHash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := st.SessionByHash(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionByHash after delete: err = %v, want ErrNotFound", err)
	}

	a := store.LoginAttempt{StateHash: []byte("state"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v",
		BrowserHash: []byte("b"), CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := st.CreateLoginAttempt(ctx, a); err != nil {
		t.Fatalf("CreateLoginAttempt: %v", err)
	}
	got2, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0)
	if err != nil || !cmp.Equal(a, got2) {
		t.Fatalf("ConsumeLoginAttempt = %+v, %v; want %+v", got2, err, a)
	}
	if _, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("second ConsumeLoginAttempt: err = %v, want ErrAlreadyUsed", err)
	}
	if _, err := st.ConsumeLoginAttempt(ctx, []byte("unknown"), t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ConsumeLoginAttempt unknown: err = %v, want ErrNotFound", err)
	}
}

func TestAuditLogNewestFirstPerOrg(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "globex")
	events := []store.AuditEvent{
		{ID: "e1", OrgID: "o1", At: t0, Actor: "cli", Action: "sso.configure", Outcome: "success", Detail: "oidc"},
		{ID: "e2", OrgID: "o1", At: t0.Add(time.Minute), Actor: "okta:00u1", Action: "sso.signin", Outcome: "success"},
		{ID: "e3", OrgID: "o2", At: t0, Actor: "cli", Action: "sso.reset", Outcome: "success"},
	}
	for _, e := range events {
		if err := st.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.ListAudit(ctx, "o1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.AuditEvent{events[1], events[0]}, got); diff != "" {
		t.Errorf("audit of o1 (-want +got):\n%s", diff)
	}
	if got, _ := st.ListAudit(ctx, "o1", 1); len(got) != 1 || got[0].ID != "e2" {
		t.Errorf("limit 1: %+v", got)
	}
}
