package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func scimMember(id, org, userName string, emails ...string) store.Member {
	m := store.Member{ID: id, OrgID: org, Email: userName, Role: store.RoleMember, Active: true, SCIMUserName: userName,
		DisplayName: "User " + id, ExternalID: "ext-" + id, CreatedAt: t0, UpdatedAt: t0}
	for i, e := range emails {
		m.Emails = append(m.Emails, store.Email{Value: e, Type: "work", Primary: i == 0})
	}
	if len(emails) > 0 {
		m.Email = emails[0]
	}
	return m
}

func TestProvisionMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	boss := store.Member{ID: "boss", OrgID: "o1", Email: "boss@acme.test", Role: store.RoleAdmin, PasswordHash: "h",
		Active: true, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateMember(ctx, boss); err != nil {
		t.Fatal(err)
	}
	linked, err := st.ProvisionMember(ctx, scimMember("new-id", "o1", "Boss@acme.test", "BOSS@acme.test"))
	if err != nil {
		t.Fatalf("ProvisionMember linking: %v", err)
	}
	if linked.ID != "boss" || linked.Role != store.RoleAdmin || linked.PasswordHash != "h" || !linked.CreatedAt.Equal(t0) {
		t.Errorf("linked member %+v: want id, role, password and creation of the existing member", linked)
	}
	got, err := st.MemberByID(ctx, "o1", "boss")
	if err != nil || got.SCIMUserName != "Boss@acme.test" {
		t.Errorf("MemberByID after link = %+v, %v", got, err)
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

func TestProvisionMemberConcurrentSameUserName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.ProvisionMember(ctx, scimMember(fmt.Sprint("m", i), "o1", "same@acme.test", "same@acme.test"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates succeeded, want exactly 1", ok)
	}
}

func TestModifyAndDeleteMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
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
	if _, err := st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error { m.Active = false; return boom }); err != boom {
		t.Fatalf("ModifyMember with failing fn: err = %v, want boom", err)
	}
	if _, err := st.SessionByHash(ctx, se.TokenHash); err != nil {
		t.Errorf("aborted ModifyMember touched the session: %v", err)
	}
	if _, err := st.ModifyMember(ctx, "o2", "m1", func(*store.Member) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ModifyMember in another org: err = %v, want ErrNotFound", err)
	}
	got, err := st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error { m.Active = false; return nil })
	if err != nil || got.Active {
		t.Fatalf("deactivate = %+v, %v", got, err)
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
	if _, err := st.ProvisionMember(ctx, scimMember("m1b", "o1", "ada", "ada@acme.test")); err != nil {
		t.Errorf("re-create after delete: %v", err)
	}
}

func TestListSCIMMembersFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	for _, m := range []store.Member{
		scimMember("a", "o1", "Ada.Lovelace@acme.test", "ada@acme.test", "ADA@home.test"),
		scimMember("b", "o1", "bob@acme.test", "bob@acme.test"),
		scimMember("c", "o1", "carol", "carol@acme.test"),
		scimMember("z", "o2", "zed@other.test", "ada@acme.test"),
	} {
		if _, err := st.ProvisionMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	eq := func(attr, v string) *store.Cond { return &store.Cond{Op: store.CondEq, Attr: attr, Value: v} }
	tests := []struct {
		name string
		f    *store.Cond
		want []string
	}{
		{"all", nil, []string{"a", "b", "c"}},
		{"userName eq, other case", eq(store.AttrUserName, "ada.lovelace@ACME.test"), []string{"a"}},
		{"id eq", eq(store.AttrID, "b"), []string{"b"}},
		{"id is case-exact", eq(store.AttrID, "B"), nil},
		{"externalId eq", eq(store.AttrExternalID, "ext-c"), []string{"c"}},
		{"secondary email", eq(store.AttrEmailValue, "ada@HOME.test"), []string{"a"}},
		{"email only in this org", eq(store.AttrEmailValue, "ada@acme.test"), []string{"a"}},
		{"displayName", eq(store.AttrDisplayName, "user c"), []string{"c"}},
		{"sw", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrUserName, Value: "BO"}, []string{"b"}},
		{"co", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: "@acme"}, []string{"a", "b"}},
		{"co email", &store.Cond{Op: store.CondContains, Attr: store.AttrEmailValue, Value: "home"}, []string{"a"}},
		{"pr", &store.Cond{Op: store.CondPresent, Attr: store.AttrExternalID}, []string{"a", "b", "c"}},
		{"or", &store.Cond{Op: store.CondOr, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}}, []string{"a", "c"}},
		{"and", &store.Cond{Op: store.CondAnd, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}}, nil},
		{"not", &store.Cond{Op: store.CondNot, Args: []store.Cond{*eq(store.AttrID, "a")}}, []string{"b", "c"}},
		{"injection is a literal", eq(store.AttrUserName, `x' OR '1'='1`), nil},
		{"injection in co is a literal", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: `%' OR 1=1 --`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Filter: tt.f, Limit: 100})
			if err != nil {
				t.Fatalf("ListSCIMMembers: %v", err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" || total != len(tt.want) {
				t.Errorf("total %d; ids (-want +got):\n%s", total, diff)
			}
		})
	}
	if _, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Offset: 10, Limit: 5}); err != nil || total != 3 {
		t.Errorf("page past the end: total %d, err %v; want 3, nil", total, err)
	}
	if _, _, err := st.ListSCIMMembers(ctx, "o1", store.Query{Filter: eq("password", "x"), Limit: 5}); err == nil {
		t.Error("filter on an unknown attribute: want an error")
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	for _, m := range []store.Member{scimMember("a", "o1", "ada"), scimMember("b", "o1", "bob"), scimMember("z", "o2", "zed")} {
		if _, err := st.ProvisionMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	g := store.Group{ID: "g1", OrgID: "o1", DisplayName: "Engineering", Members: []store.GroupMember{{ID: "b"}, {ID: "a"}, {ID: "b"}},
		CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	got, err := st.GroupByID(ctx, "o1", "g1")
	want := g
	want.Members = []store.GroupMember{{ID: "b", Display: "bob"}, {ID: "a", Display: "ada"}}
	if err != nil || cmp.Diff(want, got) != "" {
		t.Errorf("GroupByID = %v; diff (-want +got):\n%s", err, cmp.Diff(want, got))
	}
	bad := []struct {
		g    store.Group
		want error
	}{
		{store.Group{ID: "g2", OrgID: "o1", DisplayName: "ENGINEERING", CreatedAt: t0, UpdatedAt: t0}, store.ErrConflict},
		{store.Group{ID: "g3", OrgID: "o1", DisplayName: "x", Members: []store.GroupMember{{ID: "z"}}, CreatedAt: t0, UpdatedAt: t0}, store.ErrInvalidReference},
	}
	for _, b := range bad {
		if err := st.CreateGroup(ctx, b.g); !errors.Is(err, b.want) {
			t.Errorf("CreateGroup %s: err = %v, want %v", b.g.ID, err, b.want)
		}
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "g4", OrgID: "o2", DisplayName: "Engineering", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Errorf("same name in another org: %v", err)
	}
	if _, err := st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
		g.Members = append(g.Members, store.GroupMember{ID: "z"})
		return nil
	}); !errors.Is(err, store.ErrInvalidReference) {
		t.Errorf("adding another org's member: err = %v, want ErrInvalidReference", err)
	}
	got, err = st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
		g.DisplayName, g.Members = "Eng", g.Members[1:]
		return nil
	})
	if err != nil || got.DisplayName != "Eng" || !slices.Equal([]store.GroupMember{{ID: "a", Display: "ada"}}, got.Members) {
		t.Errorf("ModifyGroup = %+v, %v", got, err)
	}
	gs, total, err := st.ListGroups(ctx, "o1", store.Query{Filter: &store.Cond{Op: store.CondEq, Attr: store.AttrDisplayName, Value: "eng"}, Limit: 10})
	if err != nil || total != 1 || len(gs) != 1 || gs[0].ID != "g1" {
		t.Errorf("ListGroups displayName eq = %v, %d, %v", gs, total, err)
	}
	if err := st.DeleteGroup(ctx, "o2", "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteGroup from another org: err = %v, want ErrNotFound", err)
	}
	if err := st.DeleteGroup(ctx, "o1", "g1"); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if _, err := st.MemberByID(ctx, "o1", "a"); err != nil {
		t.Errorf("member after its group was deleted: %v", err)
	}
	if _, err := st.GroupByID(ctx, "o1", "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GroupByID after delete: err = %v, want ErrNotFound", err)
	}
}
