package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// syncedStore opens a store on a new file whose group commit calls sync after each COMMIT.
func syncedStore(t *testing.T, sync func() error) *Store {
	t.Helper()
	st, err := openSynced(context.Background(), filepath.Join(t.TempDir(), "refapp.db"), sync)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var day = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func org(i int) store.Org {
	return store.Org{ID: fmt.Sprintf("o%d", i), Name: fmt.Sprintf("org%d", i), Plan: store.PlanPro, CreatedAt: day}
}

// TestWriteReturnsAfterSync: a write returns only once the Sync after its COMMIT has finished, so
// the WAL holding it is on disk before the app answers.
func TestWriteReturnsAfterSync(t *testing.T) {
	t.Parallel()
	var started, finished atomic.Int64
	st := syncedStore(t, func() error {
		started.Add(1)
		time.Sleep(20 * time.Millisecond) // a slow disk: a write that returned early would see it unfinished
		finished.Add(1)
		return nil
	})
	before := finished.Load()
	if err := st.CreateOrg(context.Background(), org(1)); err != nil {
		t.Fatal(err)
	}
	if got := finished.Load(); got <= before {
		t.Fatalf("CreateOrg returned with %d syncs finished since it started, want at least one", got-before)
	}
	if s, f := started.Load(), finished.Load(); s != f {
		t.Errorf("%d syncs started but %d finished when the write returned", s, f)
	}
}

// TestFailedSyncStopsWrites: when the Sync after a COMMIT fails, the write reports it, and every later
// write is refused with the same cause (the disk's state is unknown); reads still work.
func TestFailedSyncStopsWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	disk := errors.New("EIO from the disk")
	var fail atomic.Bool
	st := syncedStore(t, func() error {
		if fail.Load() {
			return disk
		}
		return nil
	})
	if err := st.CreateOrg(ctx, org(1)); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	err := st.CreateOrg(ctx, org(2))
	if !errors.Is(err, disk) || !strings.Contains(err.Error(), "durable") {
		t.Fatalf("write whose sync failed: err = %v, want the disk's error saying it is not durable", err)
	}
	fail.Store(false)
	if err := st.CreateOrg(ctx, org(3)); !errors.Is(err, disk) {
		t.Errorf("write after a failed sync: err = %v, want it refused with the disk's error", err)
	}
	if _, err := st.OrgByID(ctx, "o3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused write's org: err = %v, want %v (a refused write must change nothing)", err, store.ErrNotFound)
	}
	if _, err := st.OrgByID(ctx, "o1"); err != nil {
		t.Errorf("read after a failed sync: %v", err)
	}
}

// TestSyncWAL: the real Sync flushes the WAL when there is one and has nothing to do when a closed
// database has checkpointed it away; a WAL it cannot open is an error.
func TestSyncWAL(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "refapp.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrg(context.Background(), org(1)); err != nil {
		t.Fatal(err)
	}
	sync := syncWAL(path)
	if err := sync(); err != nil {
		t.Errorf("sync with a WAL: %v", err)
	}
	st.Close()
	if err := sync(); err != nil {
		t.Errorf("sync without a WAL: %v", err)
	}
	if err := syncWAL(filepath.Join(path, "not-a-dir", "x.db"))(); err == nil {
		t.Error("sync of a WAL below a file succeeded, want an error")
	}
}
