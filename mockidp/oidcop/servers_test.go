package oidcop_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oidcop"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestDefaultServerDiscoveryGolden(t *testing.T) {
	t.Parallel()
	dir := must(directory.New(directory.Config{Name: "acme"}))
	p := must(oidcop.New(oidcop.Config{Issuer: "http://mock.test:8080/acme", OrgID: dir.ID(), Directory: dir}))
	for _, path := range []string{"/oauth2/default/.well-known/openid-configuration",
		"/oauth2/default/.well-known/oauth-authorization-server"} {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, rec.Body.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		golden(t, "discovery-default.golden.json", pretty.Bytes())
	}
}

func TestUnknownServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/oauth2/aus0000000000000000/.well-known/openid-configuration",
		"/oauth2/nope/v1/keys", "/oauth2/nope/v1/authorize"} {
		p := e.get(http.DefaultClient, e.issuer+path)
		var body map[string]any
		if err := json.Unmarshal([]byte(p.body), &body); err != nil {
			t.Fatalf("%s: %d %q", path, p.status, p.body)
		}
		id, _ := body["errorId"].(string)
		if p.status != http.StatusNotFound || body["errorCode"] != "E0000007" || body["errorLink"] != "E0000007" ||
			!strings.HasPrefix(body["errorSummary"].(string), "Not found: Resource not found: ") ||
			!strings.HasPrefix(id, "oae") || body["errorCauses"] == nil {
			t.Errorf("%s: %d %v; want Okta's E0000007 404", path, p.status, body)
		}
	}
}

// The default server's access tokens are app-validatable JWTs.
func TestDefaultServerFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	issuer := e.issuer + "/oauth2/default"
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	q := e.login(browser(), "/oauth2/default", e.app, nil)
	tok := e.tokens("/oauth2/default", e.app, q.Get("code"))
	idt, err := provider.Verifier(&oidc.Config{ClientID: e.app.ClientID}).Verify(ctx, tok["id_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if idt.Issuer != issuer || idt.Subject != e.alice.ID {
		t.Errorf("ID token iss %q sub %q", idt.Issuer, idt.Subject)
	}
	at := tok["access_token"].(string)
	atv := provider.Verifier(&oidc.Config{ClientID: "api://default"}) // aud check
	parsed, err := atv.Verify(ctx, at)
	if err != nil {
		t.Fatalf("access token does not verify with the published keys: %v", err)
	}
	var claims map[string]any
	if err := parsed.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"ver": 1.0, "iss": issuer, "aud": "api://default", "cid": e.app.ClientID,
		"uid": e.alice.ID, "scp": []any{"openid", "profile", "email"}, "sub": e.alice.Login}
	for k, v := range want {
		if diff := cmp.Diff(v, claims[k]); diff != "" {
			t.Errorf("access token %s (-want +got):\n%s", k, diff)
		}
	}
	if jti, _ := claims["jti"].(string); !strings.HasPrefix(jti, "AT.") {
		t.Errorf("jti = %q", jti)
	}
	if got := e.userinfoStatus("/oauth2/default", at); got != http.StatusOK {
		t.Errorf("default userinfo with a default token: %d", got)
	}
	if got := e.userinfoStatus("/oauth2", at); got != http.StatusUnauthorized {
		t.Errorf("org userinfo with a default token: %d, want 401", got)
	}
	// A code from one server is no good at the other.
	q = e.login(browser(), "/oauth2/default", e.app, nil)
	status, body := e.token("/oauth2", map[string][]string{"code": {q.Get("code")}}, basicAuth(e.app.ClientID, e.app.ClientSecret))
	wantOAuthError(t, status, body, 400, "invalid_grant", "The authorization code is invalid or has expired.")
}

func (e *env) userinfoStatus(prefix, at string) int {
	e.t.Helper()
	req := must(http.NewRequestWithContext(e.t.Context(), "GET", e.issuer+prefix+"/v1/userinfo", nil))
	req.Header.Set("Authorization", "Bearer "+at)
	return e.do(http.DefaultClient, req).status
}

func TestClientDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var d map[string]any
	p := e.get(http.DefaultClient, e.issuer+"/.well-known/openid-configuration?client_id="+e.app.ClientID)
	if err := json.Unmarshal([]byte(p.body), &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"issuer": e.issuer, "jwks_uri": e.issuer + "/oauth2/v1/keys?client_id=" + e.app.ClientID,
		"registration_endpoint":    e.issuer + "/oauth2/v1/clients/" + e.app.ClientID,
		"response_types_supported": []any{"code"}, "grant_types_supported": []any{"authorization_code"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_basic"}}
	for k, v := range want {
		if diff := cmp.Diff(v, d[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if p := e.get(http.DefaultClient, e.issuer+"/oauth2/v1/keys?client_id="+e.app.ClientID); p.status != http.StatusOK {
		t.Errorf("keys?client_id=: %d", p.status)
	}
}
