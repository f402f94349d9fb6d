package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

func open(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestConformance runs the store conformance suite, each test on a new file.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "refapp.db"))
	})
}

// TestConformanceShared runs the two-handle tests on two Opens of one file (two refapp processes).
func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "refapp.db")
		return open(t, path), open(t, path)
	})
}

func TestOpenTwiceKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "refapp.db")
	st, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro}); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st = open(t, path)
	if _, err := st.OrgByName(ctx, "ACME"); err != nil {
		t.Fatalf("OrgByName after reopen: %v", err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	t.Parallel()
	if _, err := sqlstore.Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\") succeeded, want an error")
	}
}
