package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var scimTests = []test{
	{"ListSCIMMembersFilters", testListSCIMMembersFilters},
	{"ListSCIMMembersCreationOrderPaging", testCreationOrderPaging},
	{"Groups", testGroups},
	{"ListGroupsPaging", testListGroupsPaging},
}

func eq(attr, v string) *store.Cond { return &store.Cond{Op: store.CondEq, Attr: attr, Value: v} }

func testListSCIMMembersFilters(t *testing.T, st store.Store) {
	ctx := context.Background()
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
	mustMember(t, st, store.Member{ID: "nosc", OrgID: "o1", Email: "plain@acme.test", Active: true}) // no SCIM identity: never listed
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
		{"externalId is case-exact", eq(store.AttrExternalID, "EXT-c"), nil},
		{"secondary email", eq(store.AttrEmailValue, "ada@HOME.test"), []string{"a"}},
		{"email only in this org", eq(store.AttrEmailValue, "ada@acme.test"), []string{"a"}},
		{"displayName", eq(store.AttrDisplayName, "user c"), []string{"c"}},
		{"sw", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrUserName, Value: "BO"}, []string{"b"}},
		{"co", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: "@acme"}, []string{"a", "b"}},
		{"co email", &store.Cond{Op: store.CondContains, Attr: store.AttrEmailValue, Value: "home"}, []string{"a"}},
		{"sw email", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrEmailValue, Value: "CAROL@"}, []string{"c"}},
		{"pr", &store.Cond{Op: store.CondPresent, Attr: store.AttrExternalID}, []string{"a", "b", "c"}},
		{"or", &store.Cond{Op: store.CondOr, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}}, []string{"a", "c"}},
		{"and", &store.Cond{Op: store.CondAnd, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}}, nil},
		{"not", &store.Cond{Op: store.CondNot, Args: []store.Cond{*eq(store.AttrID, "a")}}, []string{"b", "c"}},
		{"nested", &store.Cond{Op: store.CondAnd, Args: []store.Cond{
			{Op: store.CondOr, Args: []store.Cond{*eq(store.AttrEmailValue, "ada@acme.test"), *eq(store.AttrID, "b")}},
			{Op: store.CondNot, Args: []store.Cond{*eq(store.AttrUserName, "bob@acme.test")}}}}, []string{"a"}},
		{"injection is a literal", eq(store.AttrUserName, `x' OR '1'='1`), nil},
		{"injection in co is a literal", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: `%' OR 1=1 --`}, nil},
		{"LIKE wildcards are literals", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrUserName, Value: "%"}, nil},
		{"underscore is a literal", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: "_"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Filter: tt.f, Limit: 100})
			if err != nil {
				t.Fatalf("ListSCIMMembers: %v", err)
			}
			if diff := cmp.Diff(tt.want, memberIDs(ms)); diff != "" || total != len(tt.want) {
				t.Errorf("total %d; ids (-want +got):\n%s", total, diff)
			}
		})
	}
	if _, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Offset: 10, Limit: 5}); err != nil || total != 3 {
		t.Errorf("page past the end: total %d, err %v; want 3, nil", total, err)
	}
	if ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{}); err != nil || total != 3 || len(ms) != 0 {
		t.Errorf("count only (Limit 0): %d members, total %d, err %v; want 0, 3, nil", len(ms), total, err)
	}
	bad := map[string]*store.Cond{
		"unknown attribute": eq("password", "x"),
		"empty and":         {Op: store.CondAnd},
		"not with two args": {Op: store.CondNot, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "b")}},
		"unknown operator":  {Op: 99, Attr: store.AttrID, Value: "a"},
	}
	for name, f := range bad {
		if _, _, err := st.ListSCIMMembers(ctx, "o1", store.Query{Filter: f, Limit: 5}); err == nil {
			t.Errorf("filter with %s: want an error", name)
		}
	}
}

func memberIDs(ms []store.Member) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// testCreationOrderPaging: pages follow creation order (not id order), and
// updating a member does not move it.
func testCreationOrderPaging(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("id-%02d", 11-i) // ids sort against creation order
		want = append(want, id)
		if _, err := st.ProvisionMember(ctx, scimMember(id, "o1", "user"+id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ModifyMember(ctx, "o1", want[0], func(m *store.Member) error { m.DisplayName = "moved?"; return nil }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for off := 0; off < 12; off += 5 {
		ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Offset: off, Limit: 5})
		if err != nil || total != 12 {
			t.Fatalf("page at %d: total %d, err %v", off, total, err)
		}
		got = append(got, memberIDs(ms)...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged ids, creation order (-want +got):\n%s", diff)
	}
}

func testGroups(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	for _, m := range []store.Member{scimMember("a", "o1", "ada"), scimMember("b", "o1", "bob"), scimMember("z", "o2", "zed")} {
		if _, err := st.ProvisionMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	mustMember(t, st, store.Member{ID: "p", OrgID: "o1", Email: "pat@acme.test", Active: true})
	g := store.Group{ID: "g1", OrgID: "o1", DisplayName: "Engineering", ExternalID: "ext-g1",
		Members: []store.GroupMember{{ID: "b"}, {ID: "a"}, {ID: "b"}, {ID: "p"}}, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	want := g
	want.Members = []store.GroupMember{{ID: "b", Display: "bob"}, {ID: "a", Display: "ada"}, {ID: "p", Display: "pat@acme.test"}}
	got, err := st.GroupByID(ctx, "o1", "g1")
	if err != nil {
		t.Fatalf("GroupByID: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GroupByID: members in order, repeats dropped, display = userName else email (-want +got):\n%s", diff)
	}
	bad := []struct {
		g    store.Group
		want error
	}{
		{store.Group{ID: "g2", OrgID: "o1", DisplayName: "ENGINEERING", CreatedAt: t0, UpdatedAt: t0}, store.ErrConflict},
		{store.Group{ID: "g3", OrgID: "o1", DisplayName: "x", Members: []store.GroupMember{{ID: "z"}}, CreatedAt: t0, UpdatedAt: t0}, store.ErrInvalidReference},
		{store.Group{ID: "g3", OrgID: "o1", DisplayName: "y", Members: []store.GroupMember{{ID: "nobody"}}, CreatedAt: t0, UpdatedAt: t0}, store.ErrInvalidReference},
	}
	for _, b := range bad {
		if err := st.CreateGroup(ctx, b.g); !errors.Is(err, b.want) {
			t.Errorf("CreateGroup %s %q: err = %v, want %v", b.g.ID, b.g.DisplayName, err, b.want)
		}
	}
	if _, err := st.GroupByID(ctx, "o1", "g3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused CreateGroup left the group behind: err = %v, want ErrNotFound", err)
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "g4", OrgID: "o2", DisplayName: "Engineering", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Errorf("same name in another org: %v", err)
	}
	if _, err := st.GroupByID(ctx, "o2", "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GroupByID in another org: err = %v, want ErrNotFound", err)
	}
	testModifyGroup(t, st)
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
	if err := st.DeleteGroup(ctx, "o1", "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteGroup twice: err = %v, want ErrNotFound", err)
	}
}

func testModifyGroup(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
		g.Members = append(g.Members, store.GroupMember{ID: "z"})
		return nil
	}); !errors.Is(err, store.ErrInvalidReference) {
		t.Errorf("adding another org's member: err = %v, want ErrInvalidReference", err)
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "g5", OrgID: "o1", DisplayName: "Sales", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ModifyGroup(ctx, "o1", "g5", func(g *store.Group) error { g.DisplayName = "engineering"; return nil }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("renaming onto a taken name: err = %v, want ErrConflict", err)
	}
	boom := errors.New("boom")
	if _, err := st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error { g.DisplayName = "x"; return boom }); !errors.Is(err, boom) {
		t.Errorf("ModifyGroup with failing fn: err = %v, want boom", err)
	}
	if _, err := st.ModifyGroup(ctx, "o2", "g1", func(*store.Group) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ModifyGroup in another org: err = %v, want ErrNotFound", err)
	}
	got, err := st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
		g.DisplayName, g.Members, g.UpdatedAt = "Eng", []store.GroupMember{{ID: "a"}}, t0.Add(1)
		return nil
	})
	if err != nil || got.DisplayName != "Eng" || !slices.Equal([]store.GroupMember{{ID: "a", Display: "ada"}}, got.Members) {
		t.Errorf("ModifyGroup = %+v, %v", got, err)
	}
	gs, total, err := st.ListGroups(ctx, "o1", store.Query{Filter: eq(store.AttrDisplayName, "eng"), Limit: 10})
	if err != nil || total != 1 || len(gs) != 1 || gs[0].ID != "g1" || len(gs[0].Members) != 1 {
		t.Errorf("ListGroups displayName eq = %+v, %d, %v", gs, total, err)
	}
}

func testListGroupsPaging(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	var want []string
	for i := range 7 {
		id := fmt.Sprintf("g-%d", 9-i)
		want = append(want, id)
		if err := st.CreateGroup(ctx, store.Group{ID: id, OrgID: "o1", DisplayName: "Team " + id, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "other", OrgID: "o2", DisplayName: "Team other", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for off := 0; off < 7; off += 3 {
		gs, total, err := st.ListGroups(ctx, "o1", store.Query{Offset: off, Limit: 3})
		if err != nil || total != 7 {
			t.Fatalf("page at %d: total %d, err %v", off, total, err)
		}
		for _, g := range gs {
			got = append(got, g.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged groups, creation order (-want +got):\n%s", diff)
	}
	gs, total, err := st.ListGroups(ctx, "o1", store.Query{Filter: &store.Cond{Op: store.CondStartsWith, Attr: store.AttrDisplayName,
		Value: "TEAM G-9"}, Limit: 10})
	if err != nil || total != 1 || len(gs) != 1 || gs[0].ID != "g-9" {
		t.Errorf("ListGroups displayName sw = %+v, %d, %v", gs, total, err)
	}
	if _, _, err := st.ListGroups(ctx, "o1", store.Query{Filter: eq(store.AttrUserName, "x"), Limit: 10}); err == nil {
		t.Error("ListGroups filter on userName: want an error (groups have no userName)")
	}
}
