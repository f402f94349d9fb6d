package oidcop_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func (e *env) kids(prefix string) (kids []string, cacheControl string) {
	e.t.Helper()
	p := e.get(http.DefaultClient, e.issuer+prefix+"/v1/keys")
	var jwks struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(p.body), &jwks); err != nil {
		e.t.Fatal(err)
	}
	for _, k := range jwks.Keys {
		kids = append(kids, k.Kid)
	}
	return kids, p.header.Get("Cache-Control")
}

func TestRotateKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	for _, prefix := range []string{"/oauth2", "/oauth2/default"} {
		before, cc := e.kids(prefix)
		if len(before) != 2 || cc != "max-age=300, must-revalidate" {
			t.Fatalf("%s keys %v, Cache-Control %q", prefix, before, cc)
		}
		_, h := e.idTokenVia(prefix)
		if h["kid"] != before[0] {
			t.Errorf("%s: ID token kid %v, want the current key %s", prefix, h["kid"], before[0])
		}
	}
	issuer := e.issuer + "/oauth2/default"
	verifier := oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, issuer+"/v1/keys"), &oidc.Config{ClientID: e.app.ClientID})
	raw, _ := e.idTokenVia("/oauth2/default")
	if _, err := verifier.Verify(ctx, raw); err != nil { // caches the JWKS
		t.Fatal(err)
	}
	before, _ := e.kids("/oauth2/default")
	if err := e.p.RotateKeys(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := e.kids("/oauth2/default")
	if after[0] != before[1] || after[1] == before[0] || after[1] == before[1] {
		t.Errorf("after rotation keys %v, want [%s, <fresh>]", after, before[1])
	}
	raw, h := e.idTokenVia("/oauth2/default")
	if h["kid"] != before[1] {
		t.Errorf("after rotation the ID token kid is %v, want the former next key %s", h["kid"], before[1])
	}
	if _, err := verifier.Verify(ctx, raw); err != nil {
		t.Errorf("go-oidc with a cached JWKS rejects the token after rotation: %v", err)
	}
}

// idTokenVia logs alice in on a server and returns the ID token and its header.
func (e *env) idTokenVia(prefix string) (string, map[string]any) {
	raw := e.tokens(prefix, e.app, e.login(browser(), prefix, e.app, nil).Get("code"))["id_token"].(string)
	h, _ := decodeJWT(e.t, raw)
	return raw, h
}

func TestIntrospectAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.newApp("other")
	auth := basicAuth(e.app.ClientID, e.app.ClientSecret)
	tok := e.tokens("/oauth2", e.app, e.login(browser(), "/oauth2", e.app, nil).Get("code"))
	at, idt := tok["access_token"].(string), tok["id_token"].(string)
	introspect := func(token, auth string) (int, map[string]any) {
		return e.jsonPost(e.issuer+"/oauth2/v1/introspect", url.Values{"token": {token}}, auth)
	}

	status, body := introspect(at, auth)
	keys := []string{}
	for k := range body {
		keys = append(keys, k)
	}
	if status != 200 || body["active"] != true || body["token_type"] != "Bearer" || body["client_id"] != e.app.ClientID ||
		body["username"] != e.alice.Login || body["uid"] != e.alice.ID || body["scope"] != "openid profile email" {
		t.Errorf("introspect access token: %d %v", status, body)
	}
	if len(keys) != 12 {
		t.Errorf("introspection members %v, want Okta's 12", keys)
	}
	if _, body := introspect(idt, auth); body["active"] != true || body["sub"] != e.alice.ID {
		t.Errorf("introspect ID token: %v", body)
	}
	if _, body := introspect("garbage", auth); !cmp.Equal(body, map[string]any{"active": false}) {
		t.Errorf("introspect garbage: %v", body)
	}
	if _, body := introspect(at, basicAuth(other.ClientID, other.ClientSecret)); body["active"] != false {
		t.Errorf("another client introspects the token: %v, want inactive", body)
	}
	status, body = introspect(at, "")
	wantOAuthError(t, status, body, 401, "invalid_client", "No client credentials found.")

	revoke := func(token, auth string) page {
		return e.post(http.DefaultClient, e.issuer+"/oauth2/v1/revoke", url.Values{"token": {token}}, auth)
	}
	if p := revoke("unknown-token", auth); p.status != 200 || p.body != "" {
		t.Errorf("revoke unknown token: %d %q, want 200 and no body", p.status, p.body)
	}
	if p := revoke(at, basicAuth(other.ClientID, other.ClientSecret)); p.status != 200 {
		t.Errorf("revoke by another client: %d", p.status)
	}
	if _, body := introspect(at, auth); body["active"] != true {
		t.Error("another client revoked the token")
	}
	if p := revoke(at, auth); p.status != 200 || p.body != "" {
		t.Errorf("revoke: %d %q", p.status, p.body)
	}
	if _, body := introspect(at, auth); body["active"] != false {
		t.Errorf("revoked token introspects %v", body)
	}
	if got := e.userinfoStatus("/oauth2", at); got != http.StatusUnauthorized {
		t.Errorf("userinfo with a revoked token: %d, want 401", got)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := browser()
	q := e.login(c, "/oauth2", e.app, nil)
	idt := e.tokens("/oauth2", e.app, q.Get("code"))["id_token"].(string)
	logout := func(v url.Values) page { return e.get(c, e.issuer+"/oauth2/v1/logout?"+v.Encode()) }

	tests := []struct {
		name string
		v    url.Values
		desc string
	}{
		{"no hint", url.Values{}, "The required parameter &#39;id_token_hint&#39; is missing."},
		{"bad hint", url.Values{"id_token_hint": {"not.a.token"}}, "The id_token_hint signature is invalid."},
		{"unregistered post_logout_redirect_uri", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"https://evil.test/"}},
			"The &#39;post_logout_redirect_uri&#39; parameter must be a Logout redirect URI in the client app settings."},
	}
	for _, tc := range tests {
		p := logout(tc.v)
		if p.status != 400 || p.header.Get("Location") != "" || !strings.Contains(p.body, `id="error-description">`+tc.desc+"<") {
			t.Errorf("%s: %d %q; want the error page with %q", tc.name, p.status, p.header.Get("Location"), tc.desc)
		}
	}
	p := logout(url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {logoutURI}, "state": {"bye"}})
	if p.status != http.StatusFound || p.header.Get("Location") != logoutURI+"?state=bye" {
		t.Errorf("logout: %d Location %q, want %s?state=bye", p.status, p.header.Get("Location"), logoutURI)
	}
	q = e.callback(e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"prompt": "none"})))
	if q.Get("error") != "login_required" {
		t.Errorf("after logout prompt=none gives %v, want login_required", q)
	}
	if p := logout(url.Values{"id_token_hint": {idt}}); p.status != 200 || !strings.Contains(p.body, "signed out") {
		t.Errorf("logout without a session nor redirect: %d", p.status)
	}
}

func TestSystemLogEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := browser()
	lp := e.get(c, e.authorizeURL("/oauth2", e.app, nil))
	e.signIn(c, lp, e.alice.Login, "wrong")
	q := e.callback(e.signIn(c, lp, e.alice.Login, alicePassword))
	e.tokens("/oauth2", e.app, q.Get("code"))
	lp = e.get(browser(), e.authorizeURL("/oauth2", e.app, nil))
	e.signIn(browser(), lp, e.carol.Login, "pw")

	type ev struct{ Type, Result, Actor string }
	var got []ev
	for _, x := range e.log.Events(syslog.Query{}) {
		got = append(got, ev{x.EventType, x.Outcome.Result, x.Actor.AlternateID})
	}
	want := []ev{
		{syslog.TypeSessionStart, "FAILURE", e.alice.Login},
		{syslog.TypeSessionStart, "SUCCESS", e.alice.Login},
		{syslog.TypeSSO, "SUCCESS", e.alice.Login},
		{syslog.TypeOAuthTokenGrant, "SUCCESS", e.app.Label},
		{syslog.TypeSessionStart, "SUCCESS", e.carol.Login},
		{syslog.TypeUnauthAppAccess, "DENY", e.carol.Login},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
