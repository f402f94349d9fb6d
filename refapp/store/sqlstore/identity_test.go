package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func TestLinkIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "refapp.db"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m1", "m2"} {
		if err := st.CreateMember(ctx, store.Member{ID: id, OrgID: "o1", Email: id + "@acme.test", Role: store.RoleMember,
			Active: true, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	link := store.Identity{OrgID: "o1", MemberID: "m1", Issuer: "https://idp", Subject: "00u1", Protocol: "oidc", CreatedAt: now}
	tests := []struct {
		name string
		id   store.Identity
		want error
	}{
		{"first link", link, nil},
		{"same link again", link, nil},
		{"same identity, other member", func() store.Identity { l := link; l.MemberID = "m2"; return l }(), store.ErrConflict},
		{"unknown member", func() store.Identity { l := link; l.MemberID = "nope"; l.Subject = "00u2"; return l }(), store.ErrInvalidReference},
	}
	for _, tt := range tests {
		if err := st.LinkIdentity(ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("%s: LinkIdentity = %v, want %v", tt.name, err, tt.want)
		}
	}
	got, err := st.IdentityByKey(ctx, "o1", "https://idp", "00u1")
	if err != nil || got.MemberID != "m1" || !got.CreatedAt.Equal(now) {
		t.Errorf("IdentityByKey = %+v, %v", got, err)
	}
	if _, err := st.IdentityByKey(ctx, "o1", "https://idp", "00u9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("IdentityByKey(unknown) = %v, want ErrNotFound", err)
	}
	if ids, err := st.MemberIdentities(ctx, "o1", "m1"); err != nil || len(ids) != 1 {
		t.Errorf("MemberIdentities = %+v, %v", ids, err)
	}
	if err := st.DeleteMember(ctx, "o1", "m1"); err != nil {
		t.Fatalf("DeleteMember with a linked identity: %v", err)
	}
	if _, err := st.IdentityByKey(ctx, "o1", "https://idp", "00u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("identity outlived its member: %v", err)
	}
}

func TestRecordAssertionSharedAndExpiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "refapp.db")
	a, b := open(t, path), open(t, path) // two instances on one database
	now := time.Now()
	if err := a.RecordAssertion(ctx, "idp", "id1", now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := b.RecordAssertion(ctx, "idp", "id1", now.Add(time.Minute), now); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("replay through the other instance = %v, want ErrAlreadyUsed", err)
	}
	if err := b.RecordAssertion(ctx, "other-idp", "id1", now.Add(time.Minute), now); err != nil {
		t.Errorf("same ID from another issuer = %v, want nil", err)
	}
	later := now.Add(2 * time.Minute)
	if err := b.RecordAssertion(ctx, "idp", "id1", later.Add(time.Minute), later); err != nil {
		t.Errorf("after expiry = %v, want nil (the entry expired)", err)
	}
}
