package storetest

import (
	"context"
	"testing"
	"time"

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
	mustMembers(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com"})
	se := session("hash", "m1", "password")
	must(t, st.CreateSession(ctx, se))
	wantErr(t, "CreateSession with a taken hash", st.CreateSession(ctx, se), store.ErrConflict)
	wants(t, "SessionByHash", se)(st.SessionByHash(ctx, se.TokenHash))
	se.ExpiresAt = t0.Add(2 * time.Hour)
	must(t, st.TouchSession(ctx, se.TokenHash, se.ExpiresAt))
	wants(t, "after TouchSession", se)(st.SessionByHash(ctx, se.TokenHash))
	checkErrs(t, []check{
		{"DeleteSession", st.DeleteSession(ctx, se.TokenHash), nil},
		{"SessionByHash after delete", errOf(st.SessionByHash(ctx, se.TokenHash)), store.ErrNotFound},
		{"DeleteSession of an unknown session", st.DeleteSession(ctx, se.TokenHash), nil},
	})
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
		must(t, st.CreateLoginAttempt(ctx, a))
	}
	wantErr(t, "CreateLoginAttempt with a taken state", st.CreateLoginAttempt(ctx, attempts[0]), store.ErrConflict)
	for _, a := range attempts {
		what := "ConsumeLoginAttempt " + string(a.StateHash)
		wants(t, what, a)(st.ConsumeLoginAttempt(ctx, a.StateHash, t0.Add(time.Minute)))
		wantErr(t, "second "+what, errOf(st.ConsumeLoginAttempt(ctx, a.StateHash, t0)), store.ErrAlreadyUsed)
	}
	wantErr(t, "ConsumeLoginAttempt unknown", errOf(st.ConsumeLoginAttempt(ctx, []byte("unknown"), t0)), store.ErrNotFound)
}

func testLoginAttemptConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	a := store.LoginAttempt{StateHash: []byte("race"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v", BrowserHash: []byte("b"),
		CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	must(t, st.CreateLoginAttempt(ctx, a))
	oneWins(t, 16, store.ErrAlreadyUsed, "consumes", func(int) error {
		_, err := st.ConsumeLoginAttempt(ctx, a.StateHash, t0)
		return err
	})
}
