package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var settingsTests = []test{
	{"ListMembersAndRoles", testListMembersAndRoles},
	{"LastAdminUnderConcurrency", testLastAdminConcurrent},
	{"APIKeyAdmin", testAPIKeyAdmin},
	{"DeleteSSOConnection", testDeleteSSOConnection},
}

func testListMembersAndRoles(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	admin := mustMember(t, st, store.Member{ID: "z-admin", OrgID: "o1", Email: "admin@acme.test", Role: store.RoleAdmin, Active: true})
	bob := mustMember(t, st, store.Member{ID: "a-bob", OrgID: "o1", Email: "bob@acme.test", Active: true})
	mustMember(t, st, store.Member{ID: "x", OrgID: "o2", Email: "x@other.test", Role: store.RoleAdmin, Active: true})
	ms, err := st.ListMembers(ctx, "o1")
	if err != nil {
		t.Fatalf("ListMembers: %v", err)
	}
	if diff := cmp.Diff([]store.Member{admin, bob}, ms); diff != "" {
		t.Errorf("ListMembers, oldest first (-want +got):\n%s", diff)
	}
	if _, err := st.SetMemberRole(ctx, "o1", admin.ID, store.RoleMember, t0); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demoting the last admin: err = %v, want ErrLastAdmin", err)
	}
	if err := st.RemoveMember(ctx, "o1", admin.ID); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("removing the last admin: err = %v, want ErrLastAdmin", err)
	}
	got, err := st.SetMemberRole(ctx, "o1", bob.ID, store.RoleAdmin, t0.Add(time.Minute))
	if err != nil || got.Role != store.RoleAdmin || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("promote = %+v, %v", got, err)
	}
	if stored, _ := st.MemberByID(ctx, "o1", bob.ID); stored.Role != store.RoleAdmin {
		t.Errorf("stored role %q, want admin", stored.Role)
	}
	if _, err := st.SetMemberRole(ctx, "o1", admin.ID, store.RoleViewer, t0); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
	if _, err := st.SetMemberRole(ctx, "o2", bob.ID, store.RoleViewer, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetMemberRole in another org: err = %v, want ErrNotFound", err)
	}
	if err := st.RemoveMember(ctx, "o1", admin.ID); err != nil {
		t.Errorf("removing a viewer: %v", err)
	}
	if err := st.RemoveMember(ctx, "o1", admin.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing twice: err = %v, want ErrNotFound", err)
	}
	if ms, _ := st.ListMembers(ctx, "o1"); len(ms) != 1 || ms[0].ID != bob.ID {
		t.Errorf("ListMembers after removal = %+v", ms)
	}
}

// testLastAdminConcurrent: two admins demote each other at once; one must stay.
func testLastAdminConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	for round := range 5 {
		ids := []string{"a" + string(rune('0'+round)), "b" + string(rune('0'+round))}
		for _, id := range ids {
			mustMember(t, st, store.Member{ID: id, OrgID: "o1", Email: id + "@acme.test", Role: store.RoleAdmin, Active: true})
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() { _, _ = st.SetMemberRole(ctx, "o1", id, store.RoleMember, t0) })
		}
		wg.Wait()
		admins := 0
		ms, err := st.ListMembers(ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Role == store.RoleAdmin && m.Active {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("round %d: %d active admins after two concurrent demotions, want 1", round, admins)
		}
		for _, m := range ms { // start the next round from zero admins
			if err := st.DeleteMember(ctx, "o1", m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testAPIKeyAdmin(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@acme.test", Active: true})
	keys := []store.APIKey{
		{ID: "k1", OrgID: "o1", Prefix: "rk_1", Hash: []byte("h1"), Scopes: []string{"scim"}, CreatedAt: t0},
		{ID: "k2", OrgID: "o1", OwnerID: "m1", Prefix: "rk_2", Hash: []byte("h2"), Scopes: []string{"org:read", "org:write"}, CreatedAt: t0.Add(time.Minute)},
		{ID: "k3", OrgID: "o2", Prefix: "rk_3", Hash: []byte("h3"), Scopes: []string{"scim"}, CreatedAt: t0},
	}
	for _, k := range keys {
		if err := st.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	used := t0.Add(2 * time.Minute)
	if err := st.TouchAPIKey(ctx, "k1", used); err != nil {
		t.Fatalf("TouchAPIKey: %v", err)
	}
	got, err := st.ListAPIKeys(ctx, "o1")
	if err != nil {
		t.Fatalf("ListAPIKeys: %v", err)
	}
	want := []store.APIKeyUse{{APIKey: keys[1]}, {APIKey: keys[0], LastUsedAt: used}}
	// The list is for display: hashes need not be read back.
	if diff := cmp.Diff(want, got, cmp.Transformer("nohash", func(k store.APIKey) store.APIKey { k.Hash = nil; return k })); diff != "" {
		t.Errorf("ListAPIKeys, newest first (-want +got):\n%s", diff)
	}
	if err := st.RevokeAPIKey(ctx, "o2", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAPIKey from another org: err = %v, want ErrNotFound", err)
	}
	if err := st.RevokeAPIKey(ctx, "o1", "k1"); err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	if _, err := st.APIKeyByHash(ctx, []byte("h1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked key still authenticates: err = %v, want ErrNotFound", err)
	}
	if err := st.RevokeAPIKey(ctx, "o1", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAPIKey twice: err = %v, want ErrNotFound", err)
	}
}

func testDeleteSSOConnection(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	if err := st.DeleteSSOConnection(ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSSOConnection without one: err = %v, want ErrNotFound", err)
	}
	if err := st.PutSSOConnection(ctx, store.SSOConnection{OrgID: "o1", Protocol: "oidc", DefaultRole: store.RoleMember, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSSOConnection(ctx, "o1"); err != nil {
		t.Fatalf("DeleteSSOConnection: %v", err)
	}
	if _, err := st.SSOConnection(ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOConnection after delete: err = %v, want ErrNotFound", err)
	}
}
