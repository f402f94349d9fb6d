package mockidp_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/mockidp"
)

func TestAuthorizeErrorPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name  string
		extra map[string]string
		code  string
		desc  string
	}{
		{"unknown client", map[string]string{"client_id": "0oaUnknownClient0000"}, "invalid_client",
			"Invalid value for &#39;client_id&#39; parameter."},
		{"unregistered redirect_uri", map[string]string{"redirect_uri": "https://evil.test/cb"}, "invalid_request",
			"The &#39;redirect_uri&#39; parameter must be a Login redirect URI in the client app settings."},
		{"missing redirect_uri", map[string]string{"redirect_uri": ""}, "invalid_request",
			"The &#39;redirect_uri&#39; parameter must be a Login redirect URI in the client app settings."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := get(t, browser(t), e.authorizeURL(tc.extra))
			if p.status != http.StatusBadRequest || p.header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q; want a 400 page and no redirect", p.status, p.header.Get("Location"))
			}
			for _, want := range []string{`id="error-code">` + tc.code + "<", `id="error-description">` + tc.desc + "<"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("error page lacks %s", want)
				}
			}
		})
	}
}

func TestAuthorizeErrorRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name  string
		extra map[string]string
		want  url.Values
	}{
		{"missing state", map[string]string{"state": ""}, url.Values{"error": {"invalid_request"},
			"error_description": {"The authentication request has an invalid 'state' parameter."}}},
		{"response_type token", map[string]string{"response_type": "token"}, url.Values{"error": {"unsupported_response_type"},
			"error_description": {"The response type is not supported by the authorization server. Configured response types: [code]."},
			"state":             {"st-1"}}},
		{"scope without openid", map[string]string{"scope": "profile email"}, url.Values{"error": {"invalid_scope"},
			"error_description": {"Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope."},
			"state":             {"st-1"}}},
		{"code_challenge_method plain", map[string]string{"code_challenge": strings.Repeat("a", 43), "code_challenge_method": "plain"},
			url.Values{"error": {"invalid_request"},
				"error_description": {"PKCE code challenge method is not supported. Valid values: [S256]"}, "state": {"st-1"}}},
		{"prompt none without session", map[string]string{"prompt": "none"}, url.Values{"error": {"login_required"},
			"error_description": {"The client specified not to prompt, but the user is not logged in."}, "state": {"st-1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := callback(t, get(t, browser(t), e.authorizeURL(tc.extra)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("redirect query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnassignedUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := e.login(t, nil, e.carol.Login, carolPassword)
	want := url.Values{"error": {"access_denied"},
		"error_description": {"User is not assigned to the client application."}, "state": {"st-1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redirect query (-want +got):\n%s", diff)
	}
}

// tokenCall posts to /token. auth, when set, is the Authorization header.
func tokenCall(t *testing.T, e *env, form url.Values, auth string) (int, map[string]any) {
	t.Helper()
	if form.Get("grant_type") == "" {
		form.Set("grant_type", "authorization_code")
	}
	if !form.Has("redirect_uri") {
		form.Set("redirect_uri", redirectURI)
	}
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.org.BaseURL()+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	p := readPage(t, must(http.DefaultClient.Do(req)))
	var body map[string]any
	if err := json.Unmarshal([]byte(p.body), &body); err != nil {
		t.Fatalf("token response %d is not JSON: %q", p.status, p.body)
	}
	return p.status, body
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func exchange(t *testing.T, e *env, form url.Values, auth string) map[string]any {
	t.Helper()
	status, body := tokenCall(t, e, form, auth)
	if status != http.StatusOK {
		t.Fatalf("token: status %d, body %v", status, body)
	}
	return body
}

// basicAuth encodes client credentials as RFC 6749 2.3.1 requires.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func wantOAuthError(t *testing.T, status int, body map[string]any, wantStatus int, code, desc string) {
	t.Helper()
	want := map[string]any{"error": code, "error_description": desc}
	if status != wantStatus {
		t.Errorf("status = %d, want %d", status, wantStatus)
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("error body (-want +got):\n%s", diff)
	}
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := basicAuth(e.app.ClientID, e.app.ClientSecret)
	verifier := oauth2.GenerateVerifier()
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	t.Run("reused code", func(t *testing.T) {
		t.Parallel()
		code := e.login(t, nil, e.alice.Login, alicePassword).Get("code")
		exchange(t, e, url.Values{"code": {code}}, good)
		status, body := tokenCall(t, e, url.Values{"code": {code}}, good)
		wantOAuthError(t, status, body, 400, "invalid_grant", "The authorization code is invalid or has expired.")
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		t.Parallel()
		pkce := map[string]string{"code_challenge": challenge, "code_challenge_method": "S256"}
		code := e.login(t, pkce, e.alice.Login, alicePassword).Get("code")
		status, body := tokenCall(t, e, url.Values{"code": {code}, "code_verifier": {strings.Repeat("x", 43)}}, good)
		wantOAuthError(t, status, body, 400, "invalid_grant", "PKCE verification failed.")
		code = e.login(t, pkce, e.alice.Login, alicePassword).Get("code")
		exchange(t, e, url.Values{"code": {code}, "code_verifier": {verifier}}, good)
	})
	t.Run("redirect_uri differs", func(t *testing.T) {
		t.Parallel()
		code := e.login(t, nil, e.alice.Login, alicePassword).Get("code")
		status, body := tokenCall(t, e, url.Values{"code": {code}, "redirect_uri": {redirectURI + "/x"}}, good)
		wantOAuthError(t, status, body, 400, "invalid_grant",
			"The 'redirect_uri' does not match the redirection URI used in the authorization request.")
	})
	authTests := []struct {
		name, auth string
		form       url.Values
		desc       string
	}{
		{"wrong secret", basicAuth(e.app.ClientID, "not-the-secret"), url.Values{},
			"The client secret supplied for a confidential client is invalid."},
		{"wrong secret in post", "", url.Values{"client_id": {e.app.ClientID}, "client_secret": {"nope"}},
			"The client secret supplied for a confidential client is invalid."},
		{"no credentials", "", url.Values{}, "No client credentials found."},
	}
	for _, tc := range authTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.form.Set("code", "whatever")
			status, body := tokenCall(t, e, tc.form, tc.auth)
			wantOAuthError(t, status, body, 401, "invalid_client", tc.desc)
		})
	}
	t.Run("unknown client", func(t *testing.T) {
		t.Parallel()
		// Okta answers an unknown client_id with its management-API error body.
		status, body := tokenCall(t, e, url.Values{"code": {"whatever"}}, basicAuth("0oaUnknownClient0000", e.app.ClientSecret))
		if status != 401 || body["errorCode"] != "invalid_client" ||
			body["errorSummary"] != "Invalid value for 'client_id' parameter." {
			t.Errorf("unknown client: %d %v", status, body)
		}
	})
}

// A secret with characters that form-urlencoding changes must be decoded
// from the Basic header (RFC 6749 2.3.1), and accepted in the POST body.
func TestClientSecretEncoding(t *testing.T) {
	t.Parallel()
	const secret = "p@ss:w+rd/%&=é 1"
	idp := newServer(t, mockidp.Config{})
	path := filepath.Join(t.TempDir(), "org.yaml")
	fixture := `orgs:
  - name: special
    users: [{login: dave@special.test, password: pw}]
    apps:
      - label: app
        oidc: {clientId: 0oaSpecialClient0001, clientSecret: "` + secret + `", redirectUris: ["` + redirectURI + `"]}
        assignments: [dave@special.test]
`
	if err := os.WriteFile(path, []byte(fixture), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := idp.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	org, _ := idp.Org("special")
	e := &env{idp: idp, org: org, app: org.Apps()[0]}
	if e.app.ClientSecret != secret {
		t.Fatalf("secret = %q, want the fixture's", e.app.ClientSecret)
	}
	code := e.login(t, nil, "dave@special.test", "pw").Get("code")
	exchange(t, e, url.Values{"code": {code}}, basicAuth(e.app.ClientID, secret))

	code = e.login(t, nil, "dave@special.test", "pw").Get("code")
	exchange(t, e, url.Values{"code": {code}, "client_id": {e.app.ClientID}, "client_secret": {secret}}, "")

	// Without the encoding, "%&=" is not valid form-urlencoding.
	raw := "Basic " + base64.StdEncoding.EncodeToString([]byte(e.app.ClientID+":"+secret))
	status, body := tokenCall(t, e, url.Values{"code": {"x"}}, raw)
	wantOAuthError(t, status, body, 401, "invalid_client", "Found Authentication header but was not valid client credentials.")
}

func TestCodeExpires(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	idp := newServer(t, mockidp.Config{Now: now})
	org := must(idp.CreateOrg(t.Context(), "acme"))
	app := must(org.CreateOIDCApp(t.Context(), mockidp.OIDCAppInput{Label: "a", RedirectURIs: []string{redirectURI}}))
	u := must(org.CreateUser(t.Context(), mockidp.UserInput{Login: "u@acme.test", Password: "pw"}))
	if err := org.AssignUser(t.Context(), app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	e := &env{idp: idp, org: org, app: app}
	code := e.login(t, nil, u.Login, "pw").Get("code")
	offset.Store(int64(301 * time.Second))
	status, body := tokenCall(t, e, url.Values{"code": {code}}, basicAuth(app.ClientID, app.ClientSecret))
	wantOAuthError(t, status, body, 400, "invalid_grant", "The authorization code is invalid or has expired.")
}

func TestUserinfoRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req := must(http.NewRequestWithContext(t.Context(), "GET", e.org.BaseURL()+"/oauth2/v1/userinfo", nil))
	req.Header.Set("Authorization", "Bearer not-a-token")
	p := readPage(t, must(http.DefaultClient.Do(req)))
	want := `Bearer authorization_uri="` + e.org.BaseURL() + `/oauth2/v1/authorize", realm="` + e.org.BaseURL() +
		`", scope="openid", error="invalid_token", error_description="The access token is invalid.", resource="/oauth2/v1/userinfo"`
	if p.status != http.StatusUnauthorized || p.header.Get("WWW-Authenticate") != want {
		t.Errorf("status %d, WWW-Authenticate %q; want 401 and %q", p.status, p.header.Get("WWW-Authenticate"), want)
	}
}
