package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var identityTests = []test{
	{"Identities", testIdentities},
	{"AssertionReplayCache", testAssertionReplay},
	{"AssertionRecordedOnceUnderConcurrency", testAssertionConcurrent},
	{"SPKeyStoredOnce", testSPKeyStoredOnce},
}

// testSPKeyStoredOnce: the first key stored is the deployment's, whatever later or racing callers offer.
func testSPKeyStoredOnce(t *testing.T, st store.Store) {
	ctx := context.Background()
	wantErr(t, "SPKey before any is stored", errOf(st.SPKey(ctx)), store.ErrNotFound)
	offer := func(i int) store.SPKey {
		return store.SPKey{PrivateKeyPEM: fmt.Sprintf("key %d", i), CertificatePEM: fmt.Sprintf("cert %d", i), CreatedAt: t0}
	}
	got := make([]store.SPKey, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			var err error
			if got[i], err = st.EnsureSPKey(ctx, offer(i)); err != nil {
				t.Errorf("EnsureSPKey %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	first := got[0]
	if first.PrivateKeyPEM == "" {
		t.Fatalf("EnsureSPKey returned an empty key")
	}
	for i, k := range got {
		if k != first {
			t.Errorf("caller %d got %+v, caller 0 got %+v: two keys for one deployment", i, k, first)
		}
	}
	wants(t, "SPKey, the stored key", first)(st.SPKey(ctx))
	wants(t, "EnsureSPKey later, the stored key", first)(st.EnsureSPKey(ctx, offer(99)))
	if first.PrivateKeyPEM[len("key "):] != first.CertificatePEM[len("cert "):] {
		t.Errorf("stored key and certificate come from different offers: %+v", first)
	}
}

func testIdentities(t *testing.T, st store.Store) {
	ctx := context.Background()
	twoOrgs(t, st)
	mustMembers(t, st, member("m1", "o1", "a@acme.test"), member("m2", "o1", "b@acme.test"),
		member("m3", "o2", "a@other.test"))
	oidc := store.Identity{OrgID: "o1", MemberID: "m1", Issuer: "https://acme.okta.test", Subject: "00u1",
		Protocol: "oidc", CreatedAt: t0}
	saml := store.Identity{OrgID: "o1", MemberID: "m1", Issuer: "http://www.okta.com/exk1", Subject: "a@acme.test",
		Protocol: "saml", CreatedAt: t0.Add(time.Minute)}
	checkErrs(t, []check{
		{"LinkIdentity saml", st.LinkIdentity(ctx, saml), nil},
		{"LinkIdentity oidc", st.LinkIdentity(ctx, oidc), nil},
		{"LinkIdentity oidc again (the same link twice is not an error)", st.LinkIdentity(ctx, oidc), nil},
	})
	wants(t, "IdentityByKey", oidc)(st.IdentityByKey(ctx, "o1", oidc.Issuer, oidc.Subject))
	wants(t, "MemberIdentities, oldest first", []store.Identity{oidc, saml})(st.MemberIdentities(ctx, "o1", "m1"))
	other := oidc
	other.MemberID = "m2"
	link := func(org, member string) store.Identity {
		return store.Identity{OrgID: org, MemberID: member, Issuer: "i", Subject: "s", Protocol: "oidc", CreatedAt: t0}
	}
	sameInOtherOrg := link("o2", "m3")
	sameInOtherOrg.Issuer, sameInOtherOrg.Subject = oidc.Issuer, oidc.Subject
	checkErrs(t, []check{
		{"linking a taken identity to another member", st.LinkIdentity(ctx, other), store.ErrConflict},
		{"LinkIdentity, unknown member", st.LinkIdentity(ctx, link("o1", "nobody")), store.ErrInvalidReference},
		{"LinkIdentity, member of another org", st.LinkIdentity(ctx, link("o1", "m3")), store.ErrInvalidReference},
		{"LinkIdentity, member, org of the other", st.LinkIdentity(ctx, link("o2", "m1")), store.ErrInvalidReference},
		{"the same IdP identity in another org", st.LinkIdentity(ctx, sameInOtherOrg), nil},
		{"IdentityByKey, subject of another case (keys are exact)",
			errOf(st.IdentityByKey(ctx, "o1", oidc.Issuer, "00U1")), store.ErrNotFound},
		{"IdentityByKey, another issuer (keys are exact)",
			errOf(st.IdentityByKey(ctx, "o1", saml.Issuer, oidc.Subject)), store.ErrNotFound},
		{"IdentityByKey, unknown subject", errOf(st.IdentityByKey(ctx, "o1", oidc.Issuer, "00u9")), store.ErrNotFound},
		{"DeleteMember with linked identities", st.DeleteMember(ctx, "o1", "m1"), nil},
		{"identity after its member was deleted", errOf(st.IdentityByKey(ctx, "o1", oidc.Issuer, oidc.Subject)),
			store.ErrNotFound},
	})
}

func testAssertionReplay(t *testing.T, st store.Store) {
	ctx := context.Background()
	exp := t0.Add(5 * time.Minute)
	checkErrs(t, []check{
		{"RecordAssertion", st.RecordAssertion(ctx, "idp", "_a1", exp, t0), nil},
		{"replay before expiry", st.RecordAssertion(ctx, "idp", "_a1", exp, t0.Add(time.Minute)), store.ErrAlreadyUsed},
		{"same ID from another issuer", st.RecordAssertion(ctx, "other-idp", "_a1", exp, t0), nil},
		{"after expiry the entry is gone", st.RecordAssertion(ctx, "idp", "_a1", exp.Add(5*time.Minute), exp), nil},
	})
}

func testAssertionConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	oneWins(t, 16, store.ErrAlreadyUsed, "records", func(int) error {
		return st.RecordAssertion(ctx, "idp", "_race", t0.Add(time.Hour), t0)
	})
}
