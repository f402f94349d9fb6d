package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

// TestGroupCommitKeepsEachTransactionItsOwn runs many writers at once, so they share transactions:
// every successful write is readable when its call returns, a failing one changes nothing, and a
// conflict inside a shared transaction refuses only the duplicate.
func TestGroupCommitKeepsEachTransactionItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "refapp.db"))
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	storetest.Must(t, st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro, CreatedAt: now}))
	member := func(i int) store.Member {
		return store.Member{ID: fmt.Sprintf("m%d", i), OrgID: "o1", Email: fmt.Sprintf("u%d@acme.test", i),
			Role: store.RoleMember, Active: true, SCIMUserName: fmt.Sprintf("u%d@acme.test", i), CreatedAt: now, UpdatedAt: now}
	}
	_, err := st.ProvisionMember(ctx, member(0))
	storetest.Must(t, err)
	boom := errors.New("boom")
	const n = 60
	errs, want := make([]error, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			switch i % 3 {
			case 0: // a failing transaction in the middle of others: rolls back alone
				want[i] = boom
				_, errs[i] = st.ModifyMember(ctx, "o1", "m0", func(m *store.Member) error {
					m.Active = false
					return boom
				})
			case 1: // a duplicate of member 0's userName: refused alone
				want[i] = store.ErrConflict
				dup := member(1000 + i)
				dup.SCIMUserName = "U0@acme.test"
				_, errs[i] = st.ProvisionMember(ctx, dup)
			default:
				if _, errs[i] = st.ProvisionMember(ctx, member(i)); errs[i] == nil {
					if _, err := st.MemberByID(ctx, "o1", member(i).ID); err != nil { // committed on return
						errs[i] = fmt.Errorf("not readable after its call returned: %w", err)
					}
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, want[i]) {
			t.Errorf("writer %d: err = %v, want %v", i, err, want[i])
		}
	}
	if m, err := st.MemberByID(ctx, "o1", "m0"); err != nil || !m.Active {
		t.Errorf("member 0 = %+v, %v: a failed transaction changed it", m, err)
	}
}
