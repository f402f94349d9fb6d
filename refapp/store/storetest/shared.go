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

type sharedTest struct {
	name string
	run  func(t *testing.T, a, b store.Store)
}

var sharedTests = []sharedTest{
	{"WritesVisibleToTheOtherHandle", testSharedVisibility},
	{"LoginAttemptConsumedOnceAcrossHandles", testSharedConsume},
	{"ReplayCacheShared", testSharedReplay},
	{"ConflictAcrossHandles", testSharedConflict},
}

// testSharedVisibility: every write is committed when the call returns, so a
// second process sees it at once (a session made by one instance signs the
// browser in on the other).
func testSharedVisibility(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	mustOrg(t, a, "o1", "acme")
	if _, err := b.OrgByName(ctx, "ACME"); err != nil {
		t.Fatalf("org made through a, read through b: %v", err)
	}
	mustMember(t, b, store.Member{ID: "m1", OrgID: "o1", Email: "a@acme.test", Active: true})
	se := store.Session{TokenHash: []byte("s"), MemberID: "m1", OrgID: "o1", Method: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := a.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	got, err := b.SessionByHash(ctx, se.TokenHash)
	if err != nil {
		t.Fatalf("session made through a, read through b: %v", err)
	}
	if diff := cmp.Diff(se, got); diff != "" {
		t.Errorf("session through b (-want +got):\n%s", diff)
	}
	if _, err := b.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error { m.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SessionByHash(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session through a after b deactivated the member: err = %v, want ErrNotFound", err)
	}
}

func testSharedConsume(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	mustOrg(t, a, "o1", "acme")
	att := store.LoginAttempt{StateHash: []byte("st"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v", BrowserHash: []byte("b"),
		Protocol: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	if err := a.CreateLoginAttempt(ctx, att); err != nil {
		t.Fatal(err)
	}
	oneWins(t, 16, store.ErrAlreadyUsed, "consumes through two handles", func(i int) error {
		_, err := []store.Store{a, b}[i%2].ConsumeLoginAttempt(ctx, att.StateHash, t0)
		return err
	})
}

func testSharedReplay(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	if err := a.RecordAssertion(ctx, "idp", "_1", t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if err := b.RecordAssertion(ctx, "idp", "_1", t0.Add(time.Hour), t0); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("assertion accepted by a, replayed at b: err = %v, want ErrAlreadyUsed", err)
	}
}

func testSharedConflict(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	mustOrg(t, a, "o1", "acme")
	oneWins(t, 10, store.ErrConflict, "provisions of one userName through two handles", func(i int) error {
		_, err := []store.Store{a, b}[i%2].ProvisionMember(ctx, scimMember(fmt.Sprint("m", i), "o1", "same", "same@acme.test"))
		return err
	})
}
