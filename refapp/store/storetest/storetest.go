// Package storetest is the conformance suite of refapp's store.Store: every
// backend runs the same tests, which pin down each method's contract from the
// store package doc (ErrNotFound, ErrConflict from unique indexes, case-
// insensitive keys, sessions deleted with an inactive member, single-use login
// attempts and link tokens, filters as bound parameters, stable creation
// order, newest-first audit, the last-admin rule, the outbox lease).
//
// Run takes a function that opens a fresh, empty store for one test; every
// test runs in parallel with its own store. RunShared takes a function that
// opens two handles on one fresh database (two refapp processes sharing it)
// and checks that what one writes, the other sees at once, and that
// single-use records stay single-use across both.
//
// Times are compared to the microsecond: backends must keep at least that
// (PostgreSQL's timestamptz does; SQLite keeps nanoseconds).
//
// Usage, in a backend's tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
//	}
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Opener opens a fresh, empty store for one test and closes it when the test ends (t.Cleanup).
type Opener func(t *testing.T) store.Store

// SharedOpener opens two handles on one fresh, empty database, both closed when the test ends.
type SharedOpener func(t *testing.T) (a, b store.Store)

// t0 is the suite's clock; microsecond precision (see the package doc).
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)

type test struct {
	name string
	run  func(t *testing.T, st store.Store)
}

// tests is every single-store test, grouped by file.
func tests() []test {
	var all []test
	for _, group := range [][]test{coreTests, memberTests, scimTests, sessionTests, identityTests, settingsTests, outboxTests, grantTests} {
		all = append(all, group...)
	}
	return all
}

// Run runs every conformance test, each in parallel on a store of its own.
func Run(t *testing.T, open Opener) {
	t.Helper()
	for _, tt := range tests() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// RunShared runs the two-handle tests, each in parallel on a database of its own.
func RunShared(t *testing.T, open SharedOpener) {
	t.Helper()
	for _, tt := range sharedTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			tt.run(t, a, b)
		})
	}
}

func mustOrg(t *testing.T, st store.Store, id, name string) store.Org {
	t.Helper()
	o := store.Org{ID: id, Name: name, Plan: store.PlanPro, CreatedAt: t0}
	if err := st.CreateOrg(context.Background(), o); err != nil {
		t.Fatalf("CreateOrg %s: %v", id, err)
	}
	return o
}

func mustMember(t *testing.T, st store.Store, m store.Member) store.Member {
	t.Helper()
	if m.CreatedAt.IsZero() {
		m.CreatedAt, m.UpdatedAt = t0, t0
	}
	if m.Role == "" {
		m.Role = store.RoleMember
	}
	if err := st.CreateMember(context.Background(), m); err != nil {
		t.Fatalf("CreateMember %s: %v", m.ID, err)
	}
	return m
}

// scimMember is a member as a SCIM push creates it; the first email is primary.
func scimMember(id, org, userName string, emails ...string) store.Member {
	m := store.Member{ID: id, OrgID: org, Email: userName, Role: store.RoleMember, Active: true, SCIMUserName: userName,
		DisplayName: "User " + id, ExternalID: "ext-" + id, CreatedAt: t0, UpdatedAt: t0}
	for i, e := range emails {
		m.Emails = append(m.Emails, store.Email{Value: e, Type: "work", Primary: i == 0})
	}
	if len(emails) > 0 {
		m.Email = emails[0]
	}
	return m
}

// oneWins runs fn(0..n-1) at once and checks that exactly one call succeeds and every other fails
// with loser (a single-use record or a unique key racing with itself); what names the calls.
func oneWins(t *testing.T, n int, loser error, what string, fn func(i int) error) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, loser):
			t.Errorf("%s: unexpected error %v, want nil or %v", what, err, loser)
		}
	}
	if ok != 1 {
		t.Errorf("%d %s succeeded, want exactly 1", ok, what)
	}
}
