package linking_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/linking"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

func setup(t *testing.T) (*sqlstore.Store, *linking.Inviter, *time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro, CreatedAt: now}))
	for _, m := range []store.Member{
		{ID: "m1", Email: "ada@acme.test", DisplayName: "Ada", Active: true},
		{ID: "m2", Email: "bob@acme.test", Active: true},
		{ID: "m3", Email: "gone@acme.test", Active: false},
		{ID: "m4", Email: "linked@acme.test", Active: true},
	} {
		m.OrgID, m.Role, m.CreatedAt, m.UpdatedAt = "o1", store.RoleMember, now, now
		must(st.CreateMember(ctx, m))
	}
	must(st.PutSSOConnection(ctx, store.SSOConnection{OrgID: "o1", Protocol: "oidc", Issuer: "https://idp.test",
		DefaultRole: store.RoleMember, UpdatedAt: now}))
	must(st.LinkIdentity(ctx, store.Identity{OrgID: "o1", MemberID: "m4", Issuer: "https://idp.test", Subject: "s4",
		Protocol: "oidc", CreatedAt: now}))
	clock := now
	inv, err := linking.New(linking.Config{Store: st, TTL: time.Hour, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return st, inv, &clock
}

// tokens returns the queued tokens by recipient.
func tokens(t *testing.T, st *sqlstore.Store) map[string]string {
	t.Helper()
	ms, err := st.PendingMail(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		var p struct{ Token string }
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			t.Fatal(err)
		}
		out[m.To] = p.Token
	}
	return out
}

func TestInviteAndRedeem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, inv, clock := setup(t)
	n, err := inv.Invite(ctx, "o1")
	if err != nil || n != 2 {
		t.Fatalf("Invite = %d, %v; want 2 (active, not yet linked)", n, err)
	}
	toks := tokens(t, st)
	ada := toks["ada@acme.test"]
	if len(toks) != 2 || ada == "" || toks["bob@acme.test"] == "" {
		t.Fatalf("queued for %v", toks)
	}
	if _, err := st.LinkTokenByHash(ctx, []byte(ada)); !errors.Is(err, store.ErrNotFound) {
		t.Error("the token is stored in clear; only its hash should be")
	}
	if _, err := inv.Check(ctx, ada); err != nil {
		t.Fatalf("Check = %v", err)
	}
	got, err := inv.Redeem(ctx, ada)
	if err != nil || got.MemberID != "m1" {
		t.Fatalf("Redeem = %+v, %v", got, err)
	}
	for _, use := range []func(context.Context, string) (store.LinkToken, error){inv.Check, inv.Redeem} {
		if _, err := use(ctx, ada); !errors.Is(err, linking.ErrUsed) {
			t.Errorf("second use: %v, want ErrUsed", err)
		}
	}
	*clock = clock.Add(time.Hour)
	if _, err := inv.Redeem(ctx, toks["bob@acme.test"]); !errors.Is(err, linking.ErrExpired) {
		t.Errorf("expired link: %v, want ErrExpired", err)
	}
	if _, err := inv.Check(ctx, "nope"); !errors.Is(err, linking.ErrInvalid) {
		t.Errorf("unknown link: %v, want ErrInvalid", err)
	}
}

func TestNewInvitationReplacesTheOld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, inv, _ := setup(t)
	if _, err := inv.Invite(ctx, "o1", "m2"); err != nil {
		t.Fatal(err)
	}
	old := tokens(t, st)["bob@acme.test"]
	for _, m := range mustPending(t, st) {
		if err := st.MailSent(ctx, m.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := inv.Invite(ctx, "o1", "m2"); err != nil || n != 1 {
		t.Fatalf("Invite(m2) = %d, %v", n, err)
	}
	if _, err := inv.Check(ctx, old); !errors.Is(err, linking.ErrInvalid) {
		t.Errorf("the replaced link still works: %v", err)
	}
	if _, err := inv.Check(ctx, tokens(t, st)["bob@acme.test"]); err != nil {
		t.Errorf("the new link: %v", err)
	}
}

func mustPending(t *testing.T, st *sqlstore.Store) []store.OutboxMail {
	t.Helper()
	ms, err := st.PendingMail(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestRender(t *testing.T) {
	t.Parallel()
	subject, body, err := linking.Render("http://app.test:8080", store.OutboxMail{ID: "x", To: "ada@acme.test",
		Payload: `{"token":"TOK","org":"acme","name":"Ada","expires_at":"2025-01-04T00:00:00Z"}`})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "link your Okta profile") || !strings.Contains(body, "http://app.test:8080/account/link/TOK") ||
		!strings.Contains(body, "Hello Ada") {
		t.Errorf("Render = %q / %q", subject, body)
	}
	if _, _, err := linking.Render("http://a.test", store.OutboxMail{Payload: "{}"}); err == nil {
		t.Error("a payload without a token rendered")
	}
}
