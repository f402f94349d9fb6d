package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func testMembers(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	ada := store.Member{ID: "m1", OrgID: "o1", Email: "Ada@Example.com", DisplayName: "Ada Lovelace",
		Role: store.RoleAdmin, PasswordHash: "h", Active: true, SCIMUserName: "Ada@Example.com",
		ExternalID: "00u1", GivenName: "Ada", FamilyName: "Lovelace", FormattedName: "Ada Lovelace",
		Emails:    []store.Email{{Value: "Ada@Example.com", Type: "work", Primary: true}, {Value: "ada@home.test", Type: "home"}},
		CreatedAt: t0, UpdatedAt: t0}
	bob := store.Member{ID: "m2", OrgID: "o1", Email: "bob@example.com", Role: store.RoleMember, Active: true,
		CreatedAt: t0, UpdatedAt: t0}
	ada2 := store.Member{ID: "m3", OrgID: "o2", Email: "ada@example.com", Role: store.RoleViewer, Active: true,
		SCIMUserName: "ada@example.com", CreatedAt: t0, UpdatedAt: t0}
	mustMembers(t, st, ada, bob, ada2)
	wants(t, "by id", ada)(st.MemberByID(ctx, "o1", "m1"))
	wants(t, "by email, other case", ada)(st.MemberByEmail(ctx, "o1", "ADA@example.COM"))
	wants(t, "by userName, other case", ada)(st.MemberBySCIMUserName(ctx, "o1", "ada@EXAMPLE.com"))
	wants(t, "second org", ada2)(st.MemberByEmail(ctx, "o2", "ada@example.com"))
	wants(t, "no password, no SCIM", bob)(st.MemberByID(ctx, "o1", "m2"))
	wants(t, "MembersByEmail, oldest first", []store.Member{ada, ada2})(st.MembersByEmail(ctx, "ADA@example.com"))
	takenUserName := member("m5", "o1", "x@example.com")
	takenUserName.SCIMUserName = "ADA@example.com"
	checkErrs(t, []check{
		{"by id in another org", errOf(st.MemberByID(ctx, "o2", "m1")), store.ErrNotFound},
		{"by email in another org", errOf(st.MemberByEmail(ctx, "o2", "bob@example.com")), store.ErrNotFound},
		{"by userName without SCIM", errOf(st.MemberBySCIMUserName(ctx, "o1", "bob@example.com")), store.ErrNotFound},
		{"by secondary email (not key)", errOf(st.MemberByEmail(ctx, "o1", "ada@home.test")), store.ErrNotFound},
		{"CreateMember, email of another case", st.CreateMember(ctx, withDefaults(member("m4", "o1", "BOB@example.com"))),
			store.ErrConflict},
		{"CreateMember, userName of another case", st.CreateMember(ctx, withDefaults(takenUserName)), store.ErrConflict},
		{"CreateMember, id taken in another org", st.CreateMember(ctx, withDefaults(member("m1", "o2", "fresh@example.com"))),
			store.ErrConflict},
	})
	bob.DisplayName, bob.SCIMUserName, bob.UpdatedAt = "Bob", "bob", t0.Add(time.Hour)
	Must(t, st.UpdateMember(ctx, bob))
	wantsPage(t, "ListSCIMMembers offset 1", []store.Member{bob}, 2)(
		st.ListSCIMMembers(ctx, "o1", store.Query{Offset: 1, Limit: 10}))
	taken := bob
	taken.Email = "ada@EXAMPLE.com"
	checkErrs(t, []check{
		{"UpdateMember to a taken email", st.UpdateMember(ctx, taken), store.ErrConflict},
		{"UpdateMember unknown", st.UpdateMember(ctx, member("nope", "o1", "n@example.com")), store.ErrNotFound},
		{"UpdateMember in another org", st.UpdateMember(ctx, member("m1", "o2", "n@example.com")), store.ErrNotFound},
	})
	wants(t, "member after a refused UpdateMember", bob)(st.MemberByID(ctx, "o1", "m2"))
}

func testProvisionMember(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	mustMembers(t, st, store.Member{ID: "boss", OrgID: "o1", Email: "boss@acme.test", Role: store.RoleAdmin,
		PasswordHash: "h", Active: true})
	linked, err := st.ProvisionMember(ctx, scimMember("new-id", "o1", "Boss@acme.test", "BOSS@acme.test"))
	Must(t, err)
	if linked.ID != "boss" || linked.Role != store.RoleAdmin || linked.PasswordHash != "h" || !linked.CreatedAt.Equal(t0) {
		t.Errorf("linked member %+v: want id, role, password and creation of the existing member", linked)
	}
	wants(t, "stored member, as ProvisionMember returned it", linked)(st.MemberByID(ctx, "o1", "boss"))
	newbie := scimMember("n2", "o1", "newbie", "newbie@acme.test")
	wants(t, "ProvisionMember new", newbie)(st.ProvisionMember(ctx, newbie))
	checkErrs(t, []check{
		{"ProvisionMember, userName taken", errOf(st.ProvisionMember(ctx,
			scimMember("x1", "o1", "boss@ACME.test", "other@acme.test"))), store.ErrConflict},
		{"ProvisionMember, email of a SCIM member", errOf(st.ProvisionMember(ctx,
			scimMember("x2", "o1", "someone", "boss@acme.test"))), store.ErrConflict},
	})
}

func testModifyAndDeleteMember(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	m, err := st.ProvisionMember(ctx, scimMember("m1", "o1", "ada", "ada@acme.test"))
	Must(t, err)
	se := session("tok", "m1", "oidc")
	Must(t, st.CreateSession(ctx, se))
	boom := errors.New("boom")
	checkErrs(t, []check{
		{"ModifyMember with failing fn", errOf(st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error {
			m.Active = false
			return boom
		})), boom},
		{"session after an aborted ModifyMember", errOf(st.SessionByHash(ctx, se.TokenHash)), nil},
		{"ModifyMember in another org", errOf(st.ModifyMember(ctx, "o2", "m1", func(*store.Member) error { return nil })),
			store.ErrNotFound},
	})
	want := m
	want.Active, want.GivenName = false, "Ada"
	wants(t, "ModifyMember deactivating", want)(st.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error {
		m.Active, m.GivenName = false, "Ada"
		return nil
	}))
	wants(t, "member saved by ModifyMember", want)(st.MemberByID(ctx, "o1", "m1"))
	checkErrs(t, []check{
		{"session after deactivation", errOf(st.SessionByHash(ctx, se.TokenHash)), store.ErrNotFound},
		{"CreateSession", st.CreateSession(ctx, se), nil},
		{"CreateAPIKey", st.CreateAPIKey(ctx, store.APIKey{ID: "k", OrgID: "o1", OwnerID: "m1", Prefix: "p",
			Hash: []byte("kh"), Scopes: []string{"scim"}, CreatedAt: t0}), nil},
		{"CreateGroup", st.CreateGroup(ctx, store.Group{ID: "g", OrgID: "o1", DisplayName: "G",
			Members: []store.GroupMember{{ID: "m1"}}, CreatedAt: t0, UpdatedAt: t0}), nil},
		{"DeleteMember in another org", st.DeleteMember(ctx, "o2", m.ID), store.ErrNotFound},
		{"DeleteMember", st.DeleteMember(ctx, "o1", m.ID), nil},
		{"member after DeleteMember", errOf(st.MemberByID(ctx, "o1", "m1")), store.ErrNotFound},
		{"session after DeleteMember", errOf(st.SessionByHash(ctx, se.TokenHash)), store.ErrNotFound},
		{"key after DeleteMember", errOf(st.APIKeyByHash(ctx, []byte("kh"))), store.ErrNotFound},
		{"DeleteMember twice", st.DeleteMember(ctx, "o1", "m1"), store.ErrNotFound},
		// The same id again: what named the old member must not name the new one.
		{"re-create after delete", errOf(st.ProvisionMember(ctx, scimMember("m1", "o1", "ada", "ada@acme.test"))), nil},
	})
	if g, err := st.GroupByID(ctx, "o1", "g"); err != nil || len(g.Members) != 0 {
		t.Errorf("group after its member was deleted = %+v, %v; want it kept, empty", g, err)
	}
}

// admin is an active admin with that email.
func admin(id, org, email string) store.Member {
	m := member(id, org, email)
	m.Role = store.RoleAdmin
	return m
}

func testListMembersAndRoles(t *testing.T, st store.Store) {
	twoOrgs(t, st)
	ms := mustMembers(t, st, admin("z-admin", "o1", "admin@acme.test"), member("a-bob", "o1", "bob@acme.test"),
		admin("x", "o2", "x@other.test"))
	boss, bob := ms[0], ms[1]
	wants(t, "ListMembers, oldest first", ms[:2])(st.ListMembers(ctx, "o1"))
	checkErrs(t, []check{
		{"demoting the last admin", errOf(st.SetMemberRole(ctx, "o1", boss.ID, store.RoleMember, t0)), store.ErrLastAdmin},
		{"removing the last admin", st.RemoveMember(ctx, "o1", boss.ID), store.ErrLastAdmin},
	})
	promoted := bob
	promoted.Role, promoted.UpdatedAt = store.RoleAdmin, t0.Add(time.Minute)
	wants(t, "promote", promoted)(st.SetMemberRole(ctx, "o1", bob.ID, store.RoleAdmin, t0.Add(time.Minute)))
	wants(t, "stored promotion", promoted)(st.MemberByID(ctx, "o1", bob.ID))
	checkErrs(t, []check{
		{"demoting one of two admins", errOf(st.SetMemberRole(ctx, "o1", boss.ID, store.RoleViewer, t0)), nil},
		{"SetMemberRole in another org", errOf(st.SetMemberRole(ctx, "o2", bob.ID, store.RoleViewer, t0)),
			store.ErrNotFound},
		{"removing a viewer", st.RemoveMember(ctx, "o1", boss.ID), nil},
		{"removing twice", st.RemoveMember(ctx, "o1", boss.ID), store.ErrNotFound},
	})
	wants(t, "ListMembers after removal", []store.Member{promoted})(st.ListMembers(ctx, "o1"))
}

// testLastAdminConcurrent: two admins demote each other at once; one must stay.
func testLastAdminConcurrent(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	for round := range 5 {
		ids := []string{fmt.Sprint("a", round), fmt.Sprint("b", round)}
		mustMembers(t, st, admin(ids[0], "o1", ids[0]+"@acme.test"), admin(ids[1], "o1", ids[1]+"@acme.test"))
		atOnce(len(ids), func(i int) error { // one may fail with ErrLastAdmin
			_, err := st.SetMemberRole(ctx, "o1", ids[i], store.RoleMember, t0)
			return err
		})
		admins := 0
		ms, err := st.ListMembers(ctx, "o1")
		Must(t, err)
		for _, m := range ms { // counted, then deleted: the next round starts from zero admins
			if m.Role == store.RoleAdmin && m.Active {
				admins++
			}
			Must(t, st.DeleteMember(ctx, "o1", m.ID))
		}
		if admins != 1 {
			t.Fatalf("round %d: %d active admins after two concurrent demotions, want 1", round, admins)
		}
	}
}
