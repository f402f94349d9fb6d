package storetest

import (
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

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
		ids := []string{"a" + string(rune('0'+round)), "b" + string(rune('0'+round))}
		for _, id := range ids {
			mustMembers(t, st, admin(id, "o1", id+"@acme.test"))
		}
		atOnce(len(ids), func(i int) error { // one may fail with ErrLastAdmin
			_, err := st.SetMemberRole(ctx, "o1", ids[i], store.RoleMember, t0)
			return err
		})
		admins := 0
		ms, err := st.ListMembers(ctx, "o1")
		Must(t, err)
		for _, m := range ms {
			if m.Role == store.RoleAdmin && m.Active {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("round %d: %d active admins after two concurrent demotions, want 1", round, admins)
		}
		for _, m := range ms { // start the next round from zero admins
			Must(t, st.DeleteMember(ctx, "o1", m.ID))
		}
	}
}
