package mockidp_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/mockidp"
)

func TestDiscoveryGolden(t *testing.T) {
	t.Parallel()
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://mock.test:8080"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.CreateOrg(t.Context(), "acme"); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	idp.ServeHTTP(rec, httptest.NewRequest("GET", "/acme/.well-known/openid-configuration", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, rec.Body.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "discovery.golden.json", pretty.Bytes())
}

func TestCodeFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, e.org.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: e.app.ClientID, ClientSecret: e.app.ClientSecret,
		Endpoint: provider.Endpoint(), RedirectURL: redirectURI, Scopes: []string{"openid", "profile", "email"}}
	verifier := oauth2.GenerateVerifier()
	c := browser(t)

	lp := get(t, c, conf.AuthCodeURL("state-1", oidc.Nonce("nonce-1"), oauth2.S256ChallengeOption(verifier)))
	for _, want := range []string{`id="okta-signin-username"`, `id="okta-signin-password"`, `id="okta-signin-submit"`, `value="Sign In"`} {
		if !strings.Contains(lp.body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	if bad := signIn(t, c, e.org.BaseURL(), lp, e.alice.Login, "wrong"); !strings.Contains(bad.body, "Unable to sign in") {
		t.Errorf("wrong password: status %d, page lacks %q", bad.status, "Unable to sign in")
	}
	q := callback(t, signIn(t, c, e.org.BaseURL(), lp, e.alice.Login, alicePassword))
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("callback query = %v, want code and state", q)
	}

	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: e.app.ClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatal(err)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	checkIDToken(t, claims, e)

	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if ui.Subject != e.alice.ID || ui.Email != e.alice.Email {
		t.Errorf("userinfo = %+v, want alice", ui)
	}

	// The IdP session cookie skips the login page the second time.
	q2 := callback(t, get(t, c, conf.AuthCodeURL("state-2")))
	if q2.Get("code") == "" || q2.Get("state") != "state-2" {
		t.Errorf("second authorize = %v, want a code without a login page", q2)
	}
}

func checkIDToken(t *testing.T, claims map[string]any, e *env) {
	t.Helper()
	var keys []string
	for k := range claims {
		keys = append(keys, k)
	}
	want := []string{"amr", "at_hash", "aud", "auth_time", "email", "exp", "iat", "idp", "iss", "jti",
		"name", "nonce", "preferred_username", "sub", "ver"}
	if diff := cmp.Diff(want, keys, cmpSorted); diff != "" {
		t.Errorf("ID token claims (-want +got):\n%s", diff)
	}
	checks := map[string]any{"sub": e.alice.ID, "aud": e.app.ClientID, "iss": e.org.BaseURL(),
		"ver": 1.0, "idp": e.org.ID(), "nonce": "nonce-1", "email": e.alice.Email,
		"name": "Alice Anderson", "preferred_username": e.alice.Login, "amr": []any{"pwd"}}
	for k, v := range checks {
		if diff := cmp.Diff(v, claims[k]); diff != "" {
			t.Errorf("claim %s (-want +got):\n%s", k, diff)
		}
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 {
		t.Errorf("exp - iat = %v, want 3600", exp-iat)
	}
	if jti, _ := claims["jti"].(string); !strings.HasPrefix(jti, "ID.") {
		t.Errorf("jti = %q, want ID. prefix", jti)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := get(t, http.DefaultClient, e.org.BaseURL()+"/oauth2/v1/keys")
	if cc := p.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control = %q, want max-age", cc)
	}
	var jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal([]byte(p.body), &jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != 2 {
		t.Fatalf("%d keys, want current and next", len(jwks.Keys))
	}
	kid := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	for _, k := range jwks.Keys {
		if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || !kid.MatchString(k["kid"]) {
			t.Errorf("key %v: want kty RSA, alg RS256, use sig, 43-char kid", k)
		}
	}
	if !strings.HasPrefix(p.body, `{"keys":[{"kty":"RSA","alg":"RS256","kid":`) {
		t.Errorf("members not in Okta's order: %.60s", p.body)
	}
}

// The access token is signed with a key /keys does not publish.
func TestAccessTokenKeyUnpublished(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.login(t, nil, e.alice.Login, alicePassword)
	tok := exchange(t, e, url.Values{"code": {q.Get("code")}}, basicAuth(e.app.ClientID, e.app.ClientSecret))
	at := tok["access_token"].(string)
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(at, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	keys := get(t, http.DefaultClient, e.org.BaseURL()+"/oauth2/v1/keys").body
	if h.Kid == "" || strings.Contains(keys, h.Kid) {
		t.Errorf("access token kid %q is published in /keys", h.Kid)
	}
}

func TestLoadExampleFixture(t *testing.T) {
	t.Parallel()
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://127.0.0.1:8080",
		HTTPClient: &http.Client{Transport: failTransport{t}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.LoadFile(filepath.Join("..", "fixtures", "orgs", "example.yaml")); err != nil {
		t.Fatal(err)
	}
	org, ok := idp.Org("acme")
	if !ok {
		t.Fatal("org acme not loaded")
	}
	var logins []string
	for _, u := range org.Users() {
		logins = append(logins, u.Login)
	}
	if diff := cmp.Diff([]string{"alice@acme.test", "bob@acme.test", "carol@acme.test"}, logins); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	apps := org.Apps()
	if len(apps) != 2 || apps[0].Label != "refapp" || apps[1].SignOnMode != "SAML_2_0" ||
		!cmp.Equal(apps[0].RedirectURIs, []string{"http://localhost:8081/sso/oidc/callback"}) {
		t.Fatalf("apps = %+v", apps)
	}
	if got := org.Transcript(apps[0].ID); len(got) != 0 {
		t.Errorf("loading pushed %d SCIM requests, want none", len(got))
	}
}

// failTransport fails the test on any outgoing request.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	return nil, http.ErrNotSupported
}
