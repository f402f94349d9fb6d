package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func eq(attr, v string) *store.Cond { return &store.Cond{Op: store.CondEq, Attr: attr, Value: v} }

func testListSCIMMembersFilters(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	noExternalID := scimMember("d", "o1", "dora", "dora@elsewhere.test")
	noExternalID.ExternalID = "" // not present for pr
	mustProvision(t, st,
		scimMember("a", "o1", "Ada.Lovelace@acme.test", "ada@acme.test", "ADA@home.test"),
		scimMember("b", "o1", "bob@acme.test", "bob@acme.test"),
		scimMember("c", "o1", "carol", "carol@acme.test"), noExternalID,
		scimMember("z", "o2", "zed@other.test", "ada@acme.test"))
	mustMembers(t, st, member("nosc", "o1", "plain@acme.test")) // no SCIM identity: never listed
	tests := []struct {
		name string
		f    *store.Cond
		want []string
	}{
		{"all", nil, []string{"a", "b", "c", "d"}},
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
		{"or", &store.Cond{Op: store.CondOr, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}},
			[]string{"a", "c"}},
		{"and", &store.Cond{Op: store.CondAnd, Args: []store.Cond{*eq(store.AttrID, "a"), *eq(store.AttrID, "c")}}, nil},
		{"not", &store.Cond{Op: store.CondNot, Args: []store.Cond{*eq(store.AttrID, "a")}}, []string{"b", "c", "d"}},
		{"nested", &store.Cond{Op: store.CondAnd, Args: []store.Cond{
			{Op: store.CondOr, Args: []store.Cond{*eq(store.AttrEmailValue, "ada@acme.test"), *eq(store.AttrID, "b")}},
			{Op: store.CondNot, Args: []store.Cond{*eq(store.AttrUserName, "bob@acme.test")}}}}, []string{"a"}},
		{"injection is a literal", eq(store.AttrUserName, `x' OR '1'='1`), nil},
		{"injection in co is a literal", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName,
			Value: `%' OR 1=1 --`}, nil},
		{"LIKE wildcards are literals", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrUserName, Value: "%"}, nil},
		{"underscore is a literal", &store.Cond{Op: store.CondContains, Attr: store.AttrUserName, Value: "_"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Filter: tt.f, Limit: 100})
			wantsPage(t, "ids", tt.want, len(tt.want))(memberIDs(ms), total, err)
		})
	}
	for _, q := range []store.Query{{Offset: 10, Limit: 5}, {}} { // a page past the end; count only (Limit 0)
		wantsPage(t, fmt.Sprintf("page %+v", q), []store.Member(nil), 4)(st.ListSCIMMembers(ctx, "o1", q))
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
	mustOrg(t, st, "o1", "acme")
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("id-%02d", 11-i) // ids sort against creation order
		want = append(want, id)
		mustProvision(t, st, scimMember(id, "o1", "user"+id))
	}
	_, err := st.ModifyMember(ctx, "o1", want[0], func(m *store.Member) error {
		m.DisplayName = "moved?"
		return nil
	})
	Must(t, err)
	var got []string
	for off := 0; off < 12; off += 5 {
		ms, total, err := st.ListSCIMMembers(ctx, "o1", store.Query{Offset: off, Limit: 5})
		if err != nil || total != 12 {
			t.Fatalf("page at %d: total %d, err %v", off, total, err)
		}
		got = append(got, memberIDs(ms)...)
	}
	same(t, "paged ids, creation order", want, got)
}

// group is a group of the org created at t0, with those members.
func group(id, org, name string, memberIDs ...string) store.Group {
	g := store.Group{ID: id, OrgID: org, DisplayName: name, CreatedAt: t0, UpdatedAt: t0}
	for _, m := range memberIDs {
		g.Members = append(g.Members, store.GroupMember{ID: m})
	}
	return g
}

func testGroups(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	mustProvision(t, st, scimMember("a", "o1", "ada"), scimMember("b", "o1", "bob"), scimMember("z", "o2", "zed"))
	mustMembers(t, st, member("p", "o1", "pat@acme.test"))
	g := group("g1", "o1", "Engineering", "b", "a", "b", "p")
	g.ExternalID = "ext-g1"
	Must(t, st.CreateGroup(ctx, g))
	want := g
	want.Members = []store.GroupMember{{ID: "b", Display: "bob"}, {ID: "a", Display: "ada"},
		{ID: "p", Display: "pat@acme.test"}}
	wants(t, "GroupByID: members in order, repeats dropped, display = userName else email", want)(
		st.GroupByID(ctx, "o1", "g1"))
	boom := errors.New("boom")
	checkErrs(t, []check{
		{"CreateGroup, name of another case", st.CreateGroup(ctx, group("g2", "o1", "ENGINEERING")), store.ErrConflict},
		{"CreateGroup, member of another org", st.CreateGroup(ctx, group("g3", "o1", "x", "z")),
			store.ErrInvalidReference},
		{"CreateGroup, unknown member", st.CreateGroup(ctx, group("g3", "o1", "y", "nobody")), store.ErrInvalidReference},
		{"a refused CreateGroup left the group behind", errOf(st.GroupByID(ctx, "o1", "g3")), store.ErrNotFound},
		{"same name in another org", st.CreateGroup(ctx, group("g4", "o2", "Engineering")), nil},
		{"GroupByID in another org", errOf(st.GroupByID(ctx, "o2", "g1")), store.ErrNotFound},
		{"adding another org's member", errOf(st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
			g.Members = append(g.Members, store.GroupMember{ID: "z"})
			return nil
		})), store.ErrInvalidReference},
		{"CreateGroup", st.CreateGroup(ctx, group("g5", "o1", "Sales")), nil},
		{"renaming onto a taken name", errOf(st.ModifyGroup(ctx, "o1", "g5", rename("engineering", nil))),
			store.ErrConflict},
		{"ModifyGroup with failing fn", errOf(st.ModifyGroup(ctx, "o1", "g1", rename("x", boom))), boom},
		{"ModifyGroup in another org", errOf(st.ModifyGroup(ctx, "o2", "g1", func(*store.Group) error { return nil })),
			store.ErrNotFound},
	})
	later := t0.Add(time.Microsecond)
	want.DisplayName, want.Members, want.UpdatedAt = "Eng", []store.GroupMember{{ID: "a", Display: "ada"}}, later
	wants(t, "ModifyGroup", want)(st.ModifyGroup(ctx, "o1", "g1", func(g *store.Group) error {
		g.DisplayName, g.Members, g.UpdatedAt = "Eng", []store.GroupMember{{ID: "a"}}, later
		return nil
	}))
	wantsPage(t, "ListGroups displayName eq", []store.Group{want}, 1)(
		st.ListGroups(ctx, "o1", store.Query{Filter: eq(store.AttrDisplayName, "eng"), Limit: 10}))
	checkErrs(t, []check{
		{"DeleteGroup from another org", st.DeleteGroup(ctx, "o2", "g1"), store.ErrNotFound},
		{"DeleteGroup", st.DeleteGroup(ctx, "o1", "g1"), nil},
		{"member after its group was deleted", errOf(st.MemberByID(ctx, "o1", "a")), nil},
		{"GroupByID after delete", errOf(st.GroupByID(ctx, "o1", "g1")), store.ErrNotFound},
		{"DeleteGroup twice", st.DeleteGroup(ctx, "o1", "g1"), store.ErrNotFound},
	})
}

// rename is a ModifyGroup fn that renames the group and returns err.
func rename(name string, err error) func(*store.Group) error {
	return func(g *store.Group) error {
		g.DisplayName = name
		return err
	}
}

func testListGroupsPaging(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	var want []string
	for i := range 7 {
		id := fmt.Sprintf("g-%d", 9-i)
		want = append(want, id)
		Must(t, st.CreateGroup(ctx, group(id, "o1", "Team "+id)))
	}
	Must(t, st.CreateGroup(ctx, group("other", "o2", "Team other")))
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
	same(t, "paged groups, creation order", want, got)
	sw := &store.Cond{Op: store.CondStartsWith, Attr: store.AttrDisplayName, Value: "TEAM G-9"}
	wantsPage(t, "ListGroups displayName sw", []store.Group{group("g-9", "o1", "Team g-9")}, 1)(
		st.ListGroups(ctx, "o1", store.Query{Filter: sw, Limit: 10}))
	if _, _, err := st.ListGroups(ctx, "o1", store.Query{Filter: eq(store.AttrUserName, "x"), Limit: 10}); err == nil {
		t.Error("ListGroups filter on userName: want an error (groups have no userName)")
	}
}
