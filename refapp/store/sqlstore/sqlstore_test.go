package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

func open(t testing.TB, path string) *sqlstore.Store { return storetest.Open(t, sqlstore.Open, path) }

// TestConformance runs the store conformance suite, each test on a new file.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) string { return filepath.Join(t.TempDir(), "refapp.db") }, sqlstore.Open)
}

// TestOpenUpgradesOldOutboxColumn: a file made before the migrations were shared names the outbox's next
// attempt next_attempt_ns; Open renames it, and the outbox works on the old rows.
func TestOpenUpgradesOldOutboxColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "refapp.db")
	st := open(t, path)
	due := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	storetest.Must(t, st.EnqueueMail(ctx, store.OutboxMail{ID: "m1", Kind: "sso-link", To: "a@example.com",
		Payload: "{}", CreatedAt: due, NextAttemptAt: due}))
	_, err := st.DB().ExecContext(ctx, `ALTER TABLE mail_outbox RENAME COLUMN next_attempt_at TO next_attempt_ns`)
	storetest.Must(t, err)
	st.Close()
	got, err := open(t, path).ClaimMail(ctx, due, due.Add(time.Minute), 10)
	if err != nil || len(got) != 1 || !got[0].NextAttemptAt.Equal(due) {
		t.Errorf("ClaimMail after reopening an old file = %v, %v; want m1 due at %v", got, err, due)
	}
}

// TestKeyGrantSeesPlanChangeAtOnce: `refapp org plan`, another process on the database, changes what a
// key grants at once, even for a server that has the grant cached.
func TestKeyGrantSeesPlanChangeAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "refapp.db")
	server, cli := open(t, path), open(t, path)
	key := store.APIKey{ID: "k1", OrgID: "o1", Prefix: "rk_abcdef", Hash: []byte("h"), Scopes: []string{"scim"}}
	storetest.Must(t, server.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro}))
	storetest.Must(t, server.CreateAPIKey(ctx, key))
	for _, plan := range []store.Plan{store.PlanPro, store.PlanFree} {
		storetest.Must(t, cli.SetOrgPlan(ctx, "o1", plan))
		if g, err := server.KeyGrant(ctx, key.Hash); err != nil || g.Org.Plan != plan {
			t.Errorf("grant after the plan became %s: plan %s, err %v", plan, g.Org.Plan, err)
		}
	}
}
