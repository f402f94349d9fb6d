package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// testSessions: a session's life, and UpdateMember saving a member inactive deleting its sessions (only its).
func testSessions(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	m := mustMembers(t, st, member("m1", "o1", "a@example.com"), member("m2", "o1", "b@example.com"))[0]
	se := session("hash", "m1", "password")
	Must(t, st.CreateSession(ctx, se))
	wantErr(t, "CreateSession with a taken hash", st.CreateSession(ctx, se), store.ErrConflict)
	wants(t, "SessionByHash", se)(st.SessionByHash(ctx, se.TokenHash))
	se.ExpiresAt = t0.Add(2 * time.Hour)
	Must(t, st.TouchSession(ctx, se.TokenHash, se.ExpiresAt))
	wants(t, "after TouchSession", se)(st.SessionByHash(ctx, se.TokenHash))
	checkErrs(t, []check{
		{"DeleteSession", st.DeleteSession(ctx, se.TokenHash), nil},
		{"SessionByHash after delete", errOf(st.SessionByHash(ctx, se.TokenHash)), store.ErrNotFound},
		{"DeleteSession of an unknown session", st.DeleteSession(ctx, se.TokenHash), nil},
	})
	for _, se := range []store.Session{session("s1", "m1", "password"), session("s2", "m1", "oidc"),
		session("s3", "m2", "oidc")} {
		Must(t, st.CreateSession(ctx, se))
	}
	m.Active = false
	Must(t, st.UpdateMember(ctx, m))
	checkErrs(t, []check{
		{"session s1 after its member was saved inactive", errOf(st.SessionByHash(ctx, []byte("s1"))), store.ErrNotFound},
		{"session s2 after its member was saved inactive", errOf(st.SessionByHash(ctx, []byte("s2"))), store.ErrNotFound},
		{"session s3 of another member", errOf(st.SessionByHash(ctx, []byte("s3"))), nil},
	})
}

func testLoginAttempts(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	attempts := []store.LoginAttempt{
		{StateHash: []byte("state"), OrgID: "o1", Nonce: "n", PKCEVerifier: "v", BrowserHash: []byte("b"),
			Protocol: "oidc", LinkMemberID: "m9", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)},
		{StateHash: []byte("relay"), OrgID: "o1", BrowserHash: []byte("b2"), Protocol: "saml", RequestID: "id-123",
			CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)},
		{StateHash: []byte("handoff"), OrgID: "o1", BrowserHash: []byte("b3"), Protocol: "saml-handoff",
			Result: `{"subject":"00u1"}`, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)},
	}
	for _, a := range attempts {
		Must(t, st.CreateLoginAttempt(ctx, a))
	}
	wantErr(t, "CreateLoginAttempt with a taken state", st.CreateLoginAttempt(ctx, attempts[0]), store.ErrConflict)
	for _, a := range attempts {
		what := "ConsumeLoginAttempt " + string(a.StateHash)
		wants(t, what, a)(st.ConsumeLoginAttempt(ctx, a.StateHash, t0.Add(time.Minute)))
		wantErr(t, "second "+what, errOf(st.ConsumeLoginAttempt(ctx, a.StateHash, t0)), store.ErrAlreadyUsed)
	}
	wantErr(t, "ConsumeLoginAttempt unknown", errOf(st.ConsumeLoginAttempt(ctx, []byte("unknown"), t0)), store.ErrNotFound)
}

// testSPKeyStoredOnce: the first key stored is the deployment's, whatever later or racing callers offer.
func testSPKeyStoredOnce(t *testing.T, st store.Store) {
	wantErr(t, "SPKey before any is stored", errOf(st.SPKey(ctx)), store.ErrNotFound)
	offer := func(i int) store.SPKey {
		return store.SPKey{PrivateKeyPEM: fmt.Sprintf("key %d", i), CertificatePEM: fmt.Sprintf("cert %d", i), CreatedAt: t0}
	}
	got := atOnce(8, func(i int) store.SPKey {
		k, err := st.EnsureSPKey(ctx, offer(i))
		if err != nil {
			t.Errorf("EnsureSPKey %d: %v", i, err)
		}
		return k
	})
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
	exp := t0.Add(5 * time.Minute)
	checkErrs(t, []check{
		{"RecordAssertion", st.RecordAssertion(ctx, "idp", "_a1", exp, t0), nil},
		{"replay before expiry", st.RecordAssertion(ctx, "idp", "_a1", exp, t0.Add(time.Minute)), store.ErrAlreadyUsed},
		{"same ID from another issuer", st.RecordAssertion(ctx, "other-idp", "_a1", exp, t0), nil},
		{"after expiry the entry is gone", st.RecordAssertion(ctx, "idp", "_a1", exp.Add(5*time.Minute), exp), nil},
	})
	oneWins(t, 16, store.ErrAlreadyUsed, "records", func(int) error {
		return st.RecordAssertion(ctx, "idp", "_race", t0.Add(time.Hour), t0)
	})
}

// testSharedVisibility: every write is committed when the call returns, so a second process sees it at once
// (a session made by one instance signs the browser in on the other).
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
