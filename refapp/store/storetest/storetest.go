// Package storetest is the conformance suite of refapp's store.Store: every backend runs the same tests,
// which pin down each method's contract from the store package doc (ErrNotFound, ErrConflict from unique
// indexes, case-insensitive keys, sessions deleted with an inactive member, single-use login attempts and
// link tokens, filters as bound parameters, stable creation order, newest-first audit, the last-admin rule,
// the outbox lease).
//
// Run runs every test in parallel, each with its own fresh database; the shared tests open two handles on one
// database (two refapp processes sharing it) and check that what one writes, the other sees at once, and that
// single-use records stay single-use across both.
//
// A test walks through a scenario as tables of checks: each check is a call made where the table is built (in
// order, so a table can change the store as it goes) and the error it must return; wants checks a returned
// value. Fixtures (the two organizations o1 "acme" and o2 "other", members, sessions) come from the helpers
// at the end of this file.
//
// Times are compared to the microsecond: backends must keep at least that
// (PostgreSQL's timestamptz does; SQLite keeps nanoseconds).
//
// Usage, in a backend's tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) string { return filepath.Join(t.TempDir(), "refapp.db") }, sqlstore.Open)
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// ctx is the context of every call the suite makes.
var ctx = context.Background()

// t0 is the suite's clock; microsecond precision (see the package doc).
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)

// tests is every single-store test.
var tests = []struct {
	name string
	run  func(t *testing.T, st store.Store)
}{
	{"Orgs", testOrgs}, // core.go: organizations, API keys, SSO connections, audit
	{"APIKeys", testAPIKeys},
	{"SSOConnection", testSSOConnection},
	{"AuditNewestFirstPerOrg", testAudit},
	{"Members", testMembers}, // members.go: members, and the last-admin rule
	{"ProvisionMember", testProvisionMember},
	{"ProvisionMemberConcurrentSameUserName", func(t *testing.T, st store.Store) { provisionedOnce(t, 20, st) }},
	{"ModifyAndDeleteMember", testModifyAndDeleteMember},
	{"ListMembersAndRoles", testListMembersAndRoles},
	{"LastAdminUnderConcurrency", testLastAdminConcurrent},
	{"ListSCIMMembersFilters", testListSCIMMembersFilters}, // scim.go: SCIM lists and groups
	{"ListSCIMMembersCreationOrderPaging", testCreationOrderPaging},
	{"Groups", testGroups},
	{"ListGroupsPaging", testListGroupsPaging},
	{"SessionsAndInactiveMember", testSessions}, // signin.go: sessions, login attempts, identities, assertions, the SP key
	{"LoginAttempts", testLoginAttempts},
	{"LoginAttemptConsumedOnceUnderConcurrency", func(t *testing.T, st store.Store) { consumedOnce(t, st) }},
	{"Identities", testIdentities},
	{"AssertionReplayCacheAndRace", testAssertionReplay},
	{"SPKeyStoredOnce", testSPKeyStoredOnce},
	{"LinkTokens", testLinkTokens}, // outbox.go: account-linking invitations and the mail outbox
	{"Outbox", testOutbox},
	{"OutboxClaimedOnceUnderConcurrency", testOutboxConcurrent},
}

// sharedTests are the two-handle tests (signin.go, core.go and the concurrency helpers below).
var sharedTests = []struct {
	name string
	run  func(t *testing.T, a, b store.Store)
}{
	{"WritesVisibleToTheOtherHandle", testSharedVisibility},
	{"LoginAttemptConsumedOnceAcrossHandles", func(t *testing.T, a, b store.Store) { consumedOnce(t, a, b) }},
	{"ReplayCacheShared", testSharedReplay},
	{"ConflictAcrossHandles", func(t *testing.T, a, b store.Store) { provisionedOnce(t, 10, a, b) }},
	{"KeyGrantAcrossHandles", testKeyGrant}, // core.go
}

// Run runs every conformance test on a backend: each single-store test in parallel on a fresh database,
// each two-handle test on two stores opened on one fresh database, a reopen of a database and an Open of
// the empty DSN, which must fail. fresh returns the DSN of a new, empty database (its own cleanups first:
// stores close before they run); open is the backend's Open.
func Run[S store.Store](t *testing.T, fresh func(testing.TB) string, open func(context.Context, string) (S, error)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, Open(t, open, fresh(t)))
		})
	}
	for _, tt := range sharedTests {
		t.Run("Shared/"+tt.name, func(t *testing.T) {
			t.Parallel()
			dsn := fresh(t)
			tt.run(t, Open(t, open, dsn), Open(t, open, dsn))
		})
	}
	t.Run("ReopenKeepsData", func(t *testing.T) {
		t.Parallel()
		dsn := fresh(t)
		st := Open(t, open, dsn)
		Must(t, st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro}))
		if err := st.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wantErr(t, "OrgByName after reopen", errOf(Open(t, open, dsn).OrgByName(ctx, "ACME")), nil)
	})
	t.Run("OpenEmptyDSNFails", func(t *testing.T) {
		if _, err := open(ctx, ""); err == nil {
			t.Error(`Open("") succeeded, want an error`)
		}
	})
}

// Open opens a backend's store on dsn (its Open) and closes it when the test ends.
func Open[S io.Closer](t testing.TB, open func(context.Context, string) (S, error), dsn string) S {
	t.Helper()
	st, err := open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// check is the outcome of one call and the error it must be (errors.Is; nil: success).
type check struct {
	what      string
	err, want error
}

// checkErrs reports every check whose error is not the one wanted.
func checkErrs(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		wantErr(t, c.what, c.err, c.want)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

// errOf keeps the error of a (value, error) result, for a check.
func errOf[T any](_ T, err error) error { return err }

// wants returns the check of a (value, error) result: no error and a value equal to want, e.g.
// wants(t, "by id", org)(st.OrgByID(ctx, "o1")).
func wants[T any](t *testing.T, what string, want T) func(T, error) {
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		same(t, what, want, got)
	}
}

// wantsPage is wants for a page of a list and the total it counts.
func wantsPage[T any](t *testing.T, what string, want []T, total int) func([]T, int, error) {
	return func(got []T, n int, err error) {
		t.Helper()
		if err != nil || n != total {
			t.Errorf("%s: total %d, err %v; want %d, nil", what, n, err, total)
		}
		same(t, what, want, got)
	}
}

// same reports how got differs from want. An empty list may be nil or not; anything else compares exactly.
func same(t *testing.T, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if w, g := reflect.ValueOf(want), reflect.ValueOf(got); w.Kind() == reflect.Slice && w.Len() == 0 &&
		g.Kind() == reflect.Slice && g.Len() == 0 {
		return
	}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// Must stops the test at a failed set-up step.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustOrg(t *testing.T, st store.Store, id, name string) store.Org {
	t.Helper()
	o := store.Org{ID: id, Name: name, Plan: store.PlanPro, CreatedAt: t0}
	if err := st.CreateOrg(ctx, o); err != nil {
		t.Fatalf("CreateOrg %s: %v", id, err)
	}
	return o
}

// twoOrgs creates the suite's two organizations, o1 "acme" and o2 "other".
func twoOrgs(t *testing.T, st store.Store) {
	t.Helper()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
}

// member is an active member with that email (mustMembers fills in its role and times).
func member(id, org, email string) store.Member {
	return store.Member{ID: id, OrgID: org, Email: email, Active: true}
}

// withDefaults gives m the role member and the creation time t0 unless it has its own.
func withDefaults(m store.Member) store.Member {
	if m.CreatedAt.IsZero() {
		m.CreatedAt, m.UpdatedAt = t0, t0
	}
	if m.Role == "" {
		m.Role = store.RoleMember
	}
	return m
}

// mustMembers creates the members withDefaults and returns them as stored.
func mustMembers(t *testing.T, st store.Store, ms ...store.Member) []store.Member {
	t.Helper()
	for i, m := range ms {
		ms[i] = withDefaults(m)
		if err := st.CreateMember(ctx, ms[i]); err != nil {
			t.Fatalf("CreateMember %s: %v", m.ID, err)
		}
	}
	return ms
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

// mustProvision provisions the members as a SCIM push does.
func mustProvision(t *testing.T, st store.Store, ms ...store.Member) {
	t.Helper()
	for _, m := range ms {
		if _, err := st.ProvisionMember(ctx, m); err != nil {
			t.Fatalf("ProvisionMember %s: %v", m.ID, err)
		}
	}
}

// session is a session of a member of o1, made at t0 for an hour.
func session(hash, memberID, method string) store.Session {
	return store.Session{TokenHash: []byte(hash), MemberID: memberID, OrgID: "o1", Method: method, CreatedAt: t0,
		ExpiresAt: t0.Add(time.Hour)}
}

// oneWins runs fn(0..n-1) at once and checks that exactly one call succeeds and every other fails
// with loser (a single-use record or a unique key racing with itself); what names the calls.
func oneWins(t *testing.T, n int, loser error, what string, fn func(i int) error) {
	t.Helper()
	ok := 0
	for _, err := range atOnce(n, fn) {
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

// atOnce runs fn(0..n-1) at once and returns what each call returned, by i.
func atOnce[T any](n int, fn func(i int) T) []T {
	out := make([]T, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() { out[i] = fn(i) })
	}
	wg.Wait()
	return out
}

// consumedOnce creates a login attempt through the first handle and consumes it 16 times at once,
// through the handles in turn: exactly one consume may get it.
func consumedOnce(t *testing.T, handles ...store.Store) {
	mustOrg(t, handles[0], "o1", "acme")
	a := store.LoginAttempt{StateHash: []byte("race"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v",
		BrowserHash: []byte("b"), Protocol: "oidc", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	Must(t, handles[0].CreateLoginAttempt(ctx, a))
	oneWins(t, 16, store.ErrAlreadyUsed, "consumes", func(i int) error {
		_, err := handles[i%len(handles)].ConsumeLoginAttempt(ctx, a.StateHash, t0)
		return err
	})
}

// provisionedOnce provisions n members with one userName at once, through the handles in turn: exactly
// one may be created.
func provisionedOnce(t *testing.T, n int, handles ...store.Store) {
	mustOrg(t, handles[0], "o1", "acme")
	oneWins(t, n, store.ErrConflict, "provisions of one userName", func(i int) error {
		m := scimMember(fmt.Sprint("m", i), "o1", "same@acme.test", "same@acme.test")
		_, err := handles[i%len(handles)].ProvisionMember(ctx, m)
		return err
	})
}
