package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var memberTests = []test{
	{"Members", testMembers},
	{"UpdateMemberInactiveDeletesSessions", testUpdateMemberInactive},
	{"ProvisionMember", testProvisionMember},
	{"ProvisionMemberConcurrentSameUserName", testProvisionConcurrent},
	{"ModifyAndDeleteMember", testModifyAndDeleteMember},
}

func testMembers(t *testing.T, st store.Store) {
	ctx := context.Background()
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
		mustMember(t, st, m)
	}
	lookups := []struct {
		name   string
		lookup func() (store.Member, error)
		want   store.Member
	}{
		{"by id", func() (store.Member, error) { return st.MemberByID(ctx, "o1", "m1") }, ada},
		{"by email, other case", func() (store.Member, error) { return st.MemberByEmail(ctx, "o1", "ADA@example.COM") }, ada},
		{"by userName, other case", func() (store.Member, error) { return st.MemberBySCIMUserName(ctx, "o1", "ada@EXAMPLE.com") }, ada},
		{"second org", func() (store.Member, error) { return st.MemberByEmail(ctx, "o2", "ada@example.com") }, ada2},
		{"no password, no SCIM", func() (store.Member, error) { return st.MemberByID(ctx, "o1", "m2") }, bob},
	}
	for _, tt := range lookups {
		got, err := tt.lookup()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	notFound := map[string]func() (store.Member, error){
		"by id in another org":         func() (store.Member, error) { return st.MemberByID(ctx, "o2", "m1") },
		"by email in another org":      func() (store.Member, error) { return st.MemberByEmail(ctx, "o2", "bob@example.com") },
		"by userName without SCIM":     func() (store.Member, error) { return st.MemberBySCIMUserName(ctx, "o1", "bob@example.com") },
		"by secondary email (not key)": func() (store.Member, error) { return st.MemberByEmail(ctx, "o1", "ada@home.test") },
	}
	for name, lookup := range notFound {
		if _, err := lookup(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	conflicts := []store.Member{
		{ID: "m4", OrgID: "o1", Email: "BOB@example.com", Role: store.RoleMember, CreatedAt: t0, UpdatedAt: t0},
		{ID: "m5", OrgID: "o1", Email: "x@example.com", SCIMUserName: "ADA@example.com", Role: store.RoleMember, CreatedAt: t0, UpdatedAt: t0},
		{ID: "m1", OrgID: "o2", Email: "fresh@example.com", Role: store.RoleMember, CreatedAt: t0, UpdatedAt: t0},
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
		t.Errorf("MembersByEmail, oldest first (-want +got):\n%s", diff)
	}
	bob.DisplayName, bob.SCIMUserName, bob.UpdatedAt = "Bob", "bob", t0.Add(time.Hour)
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
	taken := bob
	taken.Email = "ada@EXAMPLE.com"
	if err := st.UpdateMember(ctx, taken); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateMember to a taken email: err = %v, want ErrConflict", err)
	}
	if got, _ := st.MemberByID(ctx, "o1", "m2"); got.Email != "bob@example.com" {
		t.Errorf("a refused UpdateMember changed the member: email %q", got.Email)
	}
	if err := st.UpdateMember(ctx, store.Member{ID: "nope", OrgID: "o1", Email: "n@example.com"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateMember unknown: err = %v, want ErrNotFound", err)
	}
	if err := st.UpdateMember(ctx, store.Member{ID: "m1", OrgID: "o2", Email: "n@example.com"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateMember in another org: err = %v, want ErrNotFound", err)
	}
}

func testUpdateMemberInactive(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	m := mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com", Active: true})
	other := mustMember(t, st, store.Member{ID: "m2", OrgID: "o1", Email: "b@example.com", Active: true})
	for _, se := range []store.Session{
		{TokenHash: []byte("s1"), MemberID: m.ID, OrgID: "o1", Method: "password", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{TokenHash: []byte("s2"), MemberID: m.ID, OrgID: "o1", Method: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{TokenHash: []byte("s3"), MemberID: other.ID, OrgID: "o1", Method: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	} {
		if err := st.CreateSession(ctx, se); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	m.Active = false
	if err := st.UpdateMember(ctx, m); err != nil {
		t.Fatalf("UpdateMember inactive: %v", err)
	}
	for hash, want := range map[string]error{"s1": store.ErrNotFound, "s2": store.ErrNotFound, "s3": nil} {
		if _, err := st.SessionByHash(ctx, []byte(hash)); !errors.Is(err, want) {
			t.Errorf("session %s after its member was saved inactive: err = %v, want %v", hash, err, want)
		}
	}
}

func testProvisionMember(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustMember(t, st, store.Member{ID: "boss", OrgID: "o1", Email: "boss@acme.test", Role: store.RoleAdmin, PasswordHash: "h", Active: true})
	linked, err := st.ProvisionMember(ctx, scimMember("new-id", "o1", "Boss@acme.test", "BOSS@acme.test"))
	if err != nil {
		t.Fatalf("ProvisionMember linking: %v", err)
	}
	if linked.ID != "boss" || linked.Role != store.RoleAdmin || linked.PasswordHash != "h" || !linked.CreatedAt.Equal(t0) {
		t.Errorf("linked member %+v: want id, role, password and creation of the existing member", linked)
	}
	got, err := st.MemberByID(ctx, "o1", "boss")
	if err != nil {
		t.Fatalf("MemberByID after link: %v", err)
	}
	if diff := cmp.Diff(linked, got); diff != "" {
		t.Errorf("stored member differs from the one ProvisionMember returned (-returned +stored):\n%s", diff)
	}
	created, err := st.ProvisionMember(ctx, scimMember("n2", "o1", "newbie", "newbie@acme.test"))
	if err != nil || created.ID != "n2" {
		t.Fatalf("ProvisionMember new = %+v, %v", created, err)
	}
	for _, m := range []store.Member{
		scimMember("x1", "o1", "boss@ACME.test", "other@acme.test"), // userName taken
		scimMember("x2", "o1", "someone", "boss@acme.test"),         // email of a SCIM member
	} {
		if _, err := st.ProvisionMember(ctx, m); !errors.Is(err, store.ErrConflict) {
			t.Errorf("ProvisionMember %s: err = %v, want ErrConflict", m.ID, err)
		}
	}
}

func testProvisionConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	oneWins(t, 20, store.ErrConflict, "creates", func(i int) error {
		_, err := st.ProvisionMember(ctx, scimMember(fmt.Sprint("m", i), "o1", "same@acme.test", "same@acme.test"))
		return err
	})
}

func testModifyAndDeleteMember(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	m, err := st.ProvisionMember(ctx, scimMember("m1", "o1", "ada", "ada@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	se := store.Session{TokenHash: []byte("tok"), MemberID: "m1", OrgID: "o1", Method: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := st.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if _, err := st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error { m.Active = false; return boom }); !errors.Is(err, boom) {
		t.Fatalf("ModifyMember with failing fn: err = %v, want boom", err)
	}
	if _, err := st.SessionByHash(ctx, se.TokenHash); err != nil {
		t.Errorf("aborted ModifyMember touched the session: %v", err)
	}
	if _, err := st.ModifyMember(ctx, "o2", "m1", func(*store.Member) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ModifyMember in another org: err = %v, want ErrNotFound", err)
	}
	got, err := st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error { m.Active, m.GivenName = false, "Ada"; return nil })
	if err != nil || got.Active || got.GivenName != "Ada" {
		t.Fatalf("deactivate = %+v, %v", got, err)
	}
	if stored, err := st.MemberByID(ctx, "o1", "m1"); err != nil || stored.Active || stored.GivenName != "Ada" {
		t.Errorf("ModifyMember did not save: %+v, %v", stored, err)
	}
	if _, err := st.SessionByHash(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after deactivation: err = %v, want ErrNotFound", err)
	}
	if err := st.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAPIKey(ctx, store.APIKey{ID: "k", OrgID: "o1", OwnerID: "m1", Prefix: "p", Hash: []byte("kh"),
		Scopes: []string{"scim"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "g", OrgID: "o1", DisplayName: "G", Members: []store.GroupMember{{ID: "m1"}},
		CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteMember(ctx, "o2", m.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteMember in another org: err = %v, want ErrNotFound", err)
	}
	if err := st.DeleteMember(ctx, "o1", m.ID); err != nil {
		t.Fatalf("DeleteMember: %v", err)
	}
	for name, err := range map[string]error{
		"member":  func() error { _, err := st.MemberByID(ctx, "o1", "m1"); return err }(),
		"session": func() error { _, err := st.SessionByHash(ctx, se.TokenHash); return err }(),
		"key":     func() error { _, err := st.APIKeyByHash(ctx, []byte("kh")); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s after DeleteMember: err = %v, want ErrNotFound", name, err)
		}
	}
	if g, err := st.GroupByID(ctx, "o1", "g"); err != nil || len(g.Members) != 0 {
		t.Errorf("group after its member was deleted = %+v, %v; want it kept, empty", g, err)
	}
	if _, err := st.ProvisionMember(ctx, scimMember("m1b", "o1", "ada", "ada@acme.test")); err != nil {
		t.Errorf("re-create after delete: %v", err)
	}
	if err := st.DeleteMember(ctx, "o1", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteMember twice: err = %v, want ErrNotFound", err)
	}
}
