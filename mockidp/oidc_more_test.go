package mockidp_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func TestOIDCFaultsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	faults := mockidp.Faults()
	if len(faults) < 60 {
		t.Fatalf("%d faults, want the OIDC and the SAML ones", len(faults))
	}
	seen := map[string]bool{}
	for _, f := range faults {
		if !strings.HasPrefix(f.Name, "oidc-") && !strings.HasPrefix(f.Name, "saml-") || f.Rule == "" || f.Description == "" {
			t.Errorf("fault %+v: want an oidc- or saml- name, a rule and a description", f)
		}
		if seen[f.Name] {
			t.Errorf("fault %s defined twice", f.Name)
		}
		seen[f.Name] = true
	}
	if err := e.org.SetFaults(ctx, e.app.ID, "oidc-no-such-fault"); !errors.Is(err, mockidp.ErrUnknownFault) {
		t.Errorf("unknown fault: err = %v", err)
	}
	if err := e.org.SetFaults(ctx, e.app.ID, "oidc-iss-wrong"); err != nil {
		t.Fatal(err)
	}
	provider, err := oidc.NewProvider(ctx, e.org.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	q := e.login(t, nil, e.alice.Login, alicePassword)
	tok := exchange(t, e, url.Values{"code": {q.Get("code")}}, basicAuth(e.app.ClientID, e.app.ClientSecret))
	if _, err := provider.Verifier(&oidc.Config{ClientID: e.app.ClientID}).Verify(ctx, tok["id_token"].(string)); err == nil {
		t.Error("go-oidc accepted an ID token with a wrong iss")
	}
	if err := e.org.SetFaults(ctx, e.app.ID); err != nil { // clear
		t.Fatal(err)
	}
	q = e.login(t, nil, e.alice.Login, alicePassword)
	tok = exchange(t, e, url.Values{"code": {q.Get("code")}}, basicAuth(e.app.ClientID, e.app.ClientSecret))
	if _, err := provider.Verifier(&oidc.Config{ClientID: e.app.ClientID}).Verify(ctx, tok["id_token"].(string)); err != nil {
		t.Errorf("after clearing the fault: %v", err)
	}
}

// addClientID makes go-oidc fetch the app's client-specific discovery document.
type addClientID struct{ id string }

func (a addClientID) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
		r = r.Clone(r.Context())
		r.URL.RawQuery = "client_id=" + url.QueryEscape(a.id)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestDiscoveryIssuerFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := oidc.ClientContext(t.Context(), &http.Client{Transport: addClientID{e.app.ClientID}})
	if _, err := oidc.NewProvider(ctx, e.org.BaseURL()); err != nil {
		t.Fatalf("client discovery without the fault: %v", err)
	}
	if err := e.org.SetFaults(t.Context(), e.app.ID, "oidc-discovery-issuer-wrong"); err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.NewProvider(ctx, e.org.BaseURL()); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Errorf("go-oidc accepted a discovery document naming another issuer (err %v)", err)
	}
	if got := e.org.AppDiscoveryURL(e.app.ID); got != e.org.DiscoveryURL()+"?client_id="+e.app.ClientID {
		t.Errorf("AppDiscoveryURL = %q", got)
	}
}

func TestDefaultServerAndRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, e.org.DefaultIssuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: e.app.ClientID, ClientSecret: e.app.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{"openid", "email"}}
	verifier := provider.Verifier(&oidc.Config{ClientID: e.app.ClientID})
	for i := range 2 {
		c := browser(t)
		lp := get(t, c, conf.AuthCodeURL("s"))
		q := callback(t, signIn(t, c, e.org.BaseURL(), lp, e.alice.Login, alicePassword))
		tok, err := conf.Exchange(ctx, q.Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifier.Verify(ctx, tok.Extra("id_token").(string)); err != nil {
			t.Errorf("login %d: %v", i, err)
		}
		if err := e.org.RotateKeys(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var types []string
	for _, ev := range e.org.SystemLog().Events(syslog.Query{EventType: syslog.TypeOAuthTokenGrant}) {
		types = append(types, ev.EventType)
	}
	if len(types) != 2 {
		t.Errorf("System Log token grants: %v, want 2", types)
	}
}
