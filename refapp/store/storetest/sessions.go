package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var sessionTests = []test{
	{"Sessions", testSessions},
	{"LoginAttempts", testLoginAttempts},
	{"LoginAttemptConsumedOnceUnderConcurrency", testLoginAttemptConcurrent},
}

func testSessions(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com"})
	se := store.Session{TokenHash: []byte("hash"), MemberID: "m1", OrgID: "o1", Method: "password", CreatedAt: t0,
		ExpiresAt: t0.Add(time.Hour)}
	if err := st.CreateSession(ctx, se); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if err := st.CreateSession(ctx, se); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateSession with a taken hash: err = %v, want ErrConflict", err)
	}
	got, err := st.SessionByHash(ctx, se.TokenHash)
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	if diff := cmp.Diff(se, got); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	se.ExpiresAt = t0.Add(2 * time.Hour)
	if err := st.TouchSession(ctx, se.TokenHash, se.ExpiresAt); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if got, err := st.SessionByHash(ctx, se.TokenHash); err != nil || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Errorf("after TouchSession: expires %v, %v; want %v", got.ExpiresAt, err, se.ExpiresAt)
	}
	if err := st.DeleteSession(ctx, se.TokenHash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := st.SessionByHash(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionByHash after delete: err = %v, want ErrNotFound", err)
	}
	if err := st.DeleteSession(ctx, se.TokenHash); err != nil {
		t.Errorf("DeleteSession of an unknown session: %v, want nil", err)
	}
}

func testLoginAttempts(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	attempts := []store.LoginAttempt{
		{StateHash: []byte("state"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v", BrowserHash: []byte("b"),
			Protocol: "oidc", LinkMemberID: "m9", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)},
		{StateHash: []byte("relay"), OrgID: "o1", BrowserHash: []byte("b2"), Protocol: "saml", RequestID: "id-123",
			CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)},
		{StateHash: []byte("handoff"), OrgID: "o1", BrowserHash: []byte("b3"), Protocol: "saml-handoff",
			Result: `{"subject":"00u1"}`, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)},
	}
	for _, a := range attempts {
		if err := st.CreateLoginAttempt(ctx, a); err != nil {
			t.Fatalf("CreateLoginAttempt %s: %v", a.StateHash, err)
		}
	}
	if err := st.CreateLoginAttempt(ctx, attempts[0]); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateLoginAttempt with a taken state: err = %v, want ErrConflict", err)
	}
	for _, a := range attempts {
		got, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0.Add(time.Minute))
		if err != nil {
			t.Fatalf("ConsumeLoginAttempt %s: %v", a.StateHash, err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("ConsumeLoginAttempt %s (-want +got):\n%s", a.StateHash, diff)
		}
		if _, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0); !errors.Is(err, store.ErrAlreadyUsed) {
			t.Errorf("second ConsumeLoginAttempt %s: err = %v, want ErrAlreadyUsed", a.StateHash, err)
		}
	}
	if _, err := st.ConsumeLoginAttempt(ctx, []byte("unknown"), t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ConsumeLoginAttempt unknown: err = %v, want ErrNotFound", err)
	}
}

func testLoginAttemptConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	a := store.LoginAttempt{StateHash: []byte("race"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v", BrowserHash: []byte("b"),
		CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	if err := st.CreateLoginAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	oneWins(t, 16, store.ErrAlreadyUsed, "consumes", func(int) error {
		_, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0)
		return err
	})
}
