package pgstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/store/pgstore"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

// TestConformance runs the store conformance suite, each test in a fresh schema.
func TestConformance(t *testing.T) {
	storetest.PostgresDSN(t)
	storetest.Run(t, storetest.PostgresSchema, pgstore.Open)
}

// TestOpenConcurrentlyMigratesOnce: processes starting at once on one database take turns at the
// migration lock; each migration is applied and recorded once.
func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresSchema(t)
	const n = 6
	errs := make([]error, n)
	stores := make([]*pgstore.Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = pgstore.Open(context.Background(), dsn) })
	}
	wg.Wait()
	var st *pgstore.Store // any one that opened: the check reads the schema through it
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		st = stores[i]
		defer st.Close()
	}
	if st == nil {
		return
	}
	var rows, versions int
	if err := st.DB().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).
		Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != versions || rows == 0 {
		t.Errorf("schema_migrations has %d rows for %d versions; want each version once", rows, versions)
	}
}

func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
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
