package storetest

import (
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

type sharedTest struct {
	name string
	run  func(t *testing.T, a, b store.Store)
}

var sharedTests = []sharedTest{
	{"WritesVisibleToTheOtherHandle", testSharedVisibility},
	{"LoginAttemptConsumedOnceAcrossHandles", func(t *testing.T, a, b store.Store) { consumedOnce(t, a, b) }},
	{"ReplayCacheShared", testSharedReplay},
	{"ConflictAcrossHandles", func(t *testing.T, a, b store.Store) { provisionedOnce(t, 10, a, b) }},
}

// testSharedVisibility: every write is committed when the call returns, so a
// second process sees it at once (a session made by one instance signs the
// browser in on the other).
func testSharedVisibility(t *testing.T, a, b store.Store) {
	mustOrg(t, a, "o1", "acme")
	wantErr(t, "org made through a, read through b", errOf(b.OrgByName(ctx, "ACME")), nil)
	mustMembers(t, b, member("m1", "o1", "a@acme.test"))
	se := session("s", "m1", "oidc")
	Must(t, a.CreateSession(ctx, se))
	wants(t, "session made through a, read through b", se)(b.SessionByHash(ctx, se.TokenHash))
	_, err := b.ModifyMember(ctx, "o1", "m1", func(m *store.Member) error {
		m.Active = false
		return nil
	})
	Must(t, err)
	wantErr(t, "session through a after b deactivated the member", errOf(a.SessionByHash(ctx, se.TokenHash)),
		store.ErrNotFound)
}

func testSharedReplay(t *testing.T, a, b store.Store) {
	exp := t0.Add(time.Hour)
	checkErrs(t, []check{
		{"assertion accepted by a", a.RecordAssertion(ctx, "idp", "_1", exp, t0), nil},
		{"replayed at b", b.RecordAssertion(ctx, "idp", "_1", exp, t0), store.ErrAlreadyUsed},
		{"same ID from another issuer at b", b.RecordAssertion(ctx, "other-idp", "_1", exp, t0), nil},
		{"at b after expiry", b.RecordAssertion(ctx, "idp", "_1", exp.Add(time.Minute), exp), nil},
	})
}
