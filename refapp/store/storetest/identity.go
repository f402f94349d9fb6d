package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	if _, err := st.SPKey(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SPKey before any is stored: err = %v, want ErrNotFound", err)
	}
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
	if read, err := st.SPKey(ctx); err != nil || read != first {
		t.Errorf("SPKey = %+v, %v; want the stored %+v", read, err, first)
	}
	if again, err := st.EnsureSPKey(ctx, offer(99)); err != nil || again != first {
		t.Errorf("EnsureSPKey later = %+v, %v; want the stored %+v", again, err, first)
	}
	if first.PrivateKeyPEM[len("key "):] != first.CertificatePEM[len("cert "):] {
		t.Errorf("stored key and certificate come from different offers: %+v", first)
	}
}

func testIdentities(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustOrg(t, st, "o2", "other")
	mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@acme.test", Active: true})
	mustMember(t, st, store.Member{ID: "m2", OrgID: "o1", Email: "b@acme.test", Active: true})
	mustMember(t, st, store.Member{ID: "m3", OrgID: "o2", Email: "a@other.test", Active: true})
	oidc := store.Identity{OrgID: "o1", MemberID: "m1", Issuer: "https://acme.okta.test", Subject: "00u1", Protocol: "oidc", CreatedAt: t0}
	saml := store.Identity{OrgID: "o1", MemberID: "m1", Issuer: "http://www.okta.com/exk1", Subject: "a@acme.test", Protocol: "saml",
		CreatedAt: t0.Add(time.Minute)}
	for _, id := range []store.Identity{saml, oidc, oidc} { // the same link twice is not an error
		if err := st.LinkIdentity(ctx, id); err != nil {
			t.Fatalf("LinkIdentity %s: %v", id.Subject, err)
		}
	}
	got, err := st.IdentityByKey(ctx, "o1", oidc.Issuer, oidc.Subject)
	if err != nil {
		t.Fatalf("IdentityByKey: %v", err)
	}
	if diff := cmp.Diff(oidc, got); diff != "" {
		t.Errorf("IdentityByKey (-want +got):\n%s", diff)
	}
	list, err := st.MemberIdentities(ctx, "o1", "m1")
	if err != nil {
		t.Fatalf("MemberIdentities: %v", err)
	}
	if diff := cmp.Diff([]store.Identity{oidc, saml}, list); diff != "" {
		t.Errorf("MemberIdentities, oldest first (-want +got):\n%s", diff)
	}
	other := oidc
	other.MemberID = "m2"
	if err := st.LinkIdentity(ctx, other); !errors.Is(err, store.ErrConflict) {
		t.Errorf("linking a taken identity to another member: err = %v, want ErrConflict", err)
	}
	for name, id := range map[string]store.Identity{
		"unknown member":           {OrgID: "o1", MemberID: "nobody", Issuer: "i", Subject: "s", Protocol: "oidc", CreatedAt: t0},
		"member of another org":    {OrgID: "o1", MemberID: "m3", Issuer: "i", Subject: "s", Protocol: "oidc", CreatedAt: t0},
		"member, org of the other": {OrgID: "o2", MemberID: "m1", Issuer: "i", Subject: "s", Protocol: "oidc", CreatedAt: t0},
	} {
		if err := st.LinkIdentity(ctx, id); !errors.Is(err, store.ErrInvalidReference) {
			t.Errorf("LinkIdentity %s: err = %v, want ErrInvalidReference", name, err)
		}
	}
	sameInOtherOrg := store.Identity{OrgID: "o2", MemberID: "m3", Issuer: oidc.Issuer, Subject: oidc.Subject, Protocol: "oidc", CreatedAt: t0}
	if err := st.LinkIdentity(ctx, sameInOtherOrg); err != nil {
		t.Errorf("the same IdP identity in another org: %v", err)
	}
	for name, lookup := range map[string]func() error{
		"subject of another case": func() error { _, err := st.IdentityByKey(ctx, "o1", oidc.Issuer, "00U1"); return err },
		"another issuer":          func() error { _, err := st.IdentityByKey(ctx, "o1", saml.Issuer, oidc.Subject); return err },
	} {
		if err := lookup(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("IdentityByKey %s: err = %v, want ErrNotFound (keys are exact)", name, err)
		}
	}
	if err := st.DeleteMember(ctx, "o1", "m1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.IdentityByKey(ctx, "o1", oidc.Issuer, oidc.Subject); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("identity after its member was deleted: err = %v, want ErrNotFound", err)
	}
}

func testAssertionReplay(t *testing.T, st store.Store) {
	ctx := context.Background()
	exp := t0.Add(5 * time.Minute)
	if err := st.RecordAssertion(ctx, "idp", "_a1", exp, t0); err != nil {
		t.Fatalf("RecordAssertion: %v", err)
	}
	if err := st.RecordAssertion(ctx, "idp", "_a1", exp, t0.Add(time.Minute)); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("replay before expiry: err = %v, want ErrAlreadyUsed", err)
	}
	if err := st.RecordAssertion(ctx, "other-idp", "_a1", exp, t0); err != nil {
		t.Errorf("same ID from another issuer: %v", err)
	}
	if err := st.RecordAssertion(ctx, "idp", "_a1", exp.Add(5*time.Minute), exp); err != nil {
		t.Errorf("after expiry the entry is gone: %v", err)
	}
}

func testAssertionConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	oneWins(t, 16, store.ErrAlreadyUsed, "records", func(int) error {
		return st.RecordAssertion(ctx, "idp", "_race", t0.Add(time.Hour), t0)
	})
}
