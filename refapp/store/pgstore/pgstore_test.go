package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/pgstore"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

// dsnVar names the database the tests use; each test gets a fresh schema in it, dropped at the end.
const dsnVar = "REFAPP_TEST_POSTGRES_DSN"

func baseDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(dsnVar)
	if dsn == "" {
		t.Skip(dsnVar + " is unset, so the PostgreSQL store tests do not run: set it to a PostgreSQL DSN " +
			"(`bash scripts/start-postgres.sh` starts a throw-away server and prints one; .ci/run sets it)")
	}
	return dsn
}

// freshSchema returns the DSN of a new, empty schema, dropped when the test ends.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := baseDSN(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "refapp_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSchema(t, base, schema)
}

func withSchema(t *testing.T, dsn, schema string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " schema=" + schema // keyword/value form
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", dsnVar, err)
	}
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *pgstore.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() }) // registered after the schema's drop: runs first
	return st
}

// TestConformance runs the store conformance suite, each test in a fresh schema.
func TestConformance(t *testing.T) {
	baseDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, freshSchema(t)) })
}

// TestConformanceShared runs the two-handle tests on two stores (two pools) on one schema.
func TestConformanceShared(t *testing.T) {
	baseDSN(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := freshSchema(t)
		return open(t, dsn), open(t, dsn)
	})
}

// TestOpenConcurrentlyMigratesOnce: processes starting at once on one database take turns at the
// migration lock; each migration is applied and recorded once.
func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	dsn := freshSchema(t)
	const n = 6
	errs := make([]error, n)
	stores := make([]*pgstore.Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = pgstore.Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		stores[i].Close()
	}
	conn, err := pgx.Connect(context.Background(), strings.Replace(dsn, "schema=", "search_path=", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, versions int
	if err := conn.QueryRow(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).
		Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != versions || rows == 0 {
		t.Errorf("schema_migrations has %d rows for %d versions; want each version once", rows, versions)
	}
}

func TestOpenKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := freshSchema(t)
	st := open(t, dsn)
	if err := st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := open(t, dsn).OrgByName(ctx, "ACME"); err != nil {
		t.Errorf("OrgByName after reopen: %v", err)
	}
}

func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"",
		"postgres://u:hunter2@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", // nothing listens on port 1
		"postgres://u:hunter2@[::1/db",                                          // malformed
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}
