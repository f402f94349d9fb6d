package refapp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// stack is an app on a loopback test server, wired to a test OP, with org "acme".
type stack struct {
	app  *httptest.Server
	op   *testOP
	st   store.Store
	adm  *admin.Admin
	mu   sync.Mutex
	skew time.Duration
}

func (s *stack) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.skew)
}

func (s *stack) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew += d
}

func newStack(t testing.TB) *stack {
	t.Helper()
	ctx := context.Background()
	st, err := refapp.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "refapp.db"))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	s := &stack{op: newTestOP(t), st: st}
	var h http.Handler
	s.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(s.app.Close)
	app, err := refapp.New(refapp.Config{BaseURL: s.app.URL, Store: st, Now: s.clock})
	if err != nil {
		t.Fatalf("refapp.New: %v", err)
	}
	h = app
	s.adm, err = admin.New(admin.Config{Store: st, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.adm.CreateOrg(ctx, admin.OrgInput{Name: "acme", Plan: "pro", AdminEmail: "boss@acme.test",
		AdminPassword: "correct horse"}); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	s.setSSO(t, s.op.clientSecret)
	return s
}

func (s *stack) setSSO(t testing.TB, secret string) {
	t.Helper()
	err := s.adm.SetSSO(context.Background(), admin.SSOInput{Org: "acme", Protocol: "oidc",
		MetadataURL: s.op.issuer() + "/.well-known/openid-configuration", ClientID: s.op.clientID,
		ClientSecret: secret, DefaultRole: "viewer", Sync: true})
	if err != nil {
		t.Fatalf("SetSSO: %v", err)
	}
}

// browser is a cookie-keeping client that does not follow redirects.
func browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// startSSO follows the app to the IdP redirect and returns the authorize URL's query.
func (s *stack) startSSO(t *testing.T, c *http.Client) url.Values {
	t.Helper()
	resp, _ := get(t, c, s.app.URL+"/sso/acme/start")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), s.op.issuer()+"/authorize?") {
		t.Fatalf("start redirected to %q, want the OP's authorize endpoint", resp.Header.Get("Location"))
	}
	q := loc.Query()
	want := map[string]string{"response_type": "code", "client_id": s.op.clientID, "code_challenge_method": "S256",
		"redirect_uri": s.app.URL + "/sso/oidc/callback"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("authorize request has no %s", k)
		}
	}
	return q
}

func (s *stack) callback(t *testing.T, c *http.Client, q url.Values) (*http.Response, string) {
	t.Helper()
	return get(t, c, s.app.URL+"/sso/oidc/callback?"+q.Encode())
}

func (s *stack) me(t *testing.T, c *http.Client) (int, map[string]string) {
	t.Helper()
	resp, body := get(t, c, s.app.URL+"/api/v1/me")
	var out map[string]string
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("/api/v1/me body %q: %v", body, err)
	}
	return resp.StatusCode, out
}

func TestSSOLoginJustInTime(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := browser(t)
	q := s.startSSO(t, c)
	code := s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"),
		"email": "New.Person@Acme.test", "email_verified": true, "name": "New Person"})
	resp, body := s.callback(t, c, url.Values{"code": {code}, "state": {q.Get("state")}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback = %d -> %q, want 303 /; body:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	status, me := s.me(t, c)
	want := map[string]string{"email": "New.Person@Acme.test", "name": "New Person", "org": "acme", "role": "viewer"}
	if status != 200 || cmp.Diff(want, me) != "" {
		t.Errorf("/api/v1/me = %d, (-want +got):\n%s", status, cmp.Diff(want, me))
	}
	_, home := get(t, c, s.app.URL+"/")
	for _, frag := range []string{`<span id="member-name">New Person</span>`, `<span id="member-email">New.Person@Acme.test</span>`, "acme"} {
		if !strings.Contains(home, frag) {
			t.Errorf("home page lacks %q", frag)
		}
	}
}

func TestSSOLoginMatchesProvisionedMember(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	org, err := s.st.OrgByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.st.CreateMember(ctx, store.Member{ID: "m-scim", OrgID: org.ID, Email: "ada@acme.test",
		DisplayName: "Ada (from SCIM)", Role: store.RoleMember, Active: true, SCIMUserName: "ada@acme.test",
		CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	q := s.startSSO(t, c)
	code := s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"),
		"email": "ADA@acme.test", "name": "Ada From Token"})
	if resp, body := s.callback(t, c, url.Values{"code": {code}, "state": {q.Get("state")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback = %d; body:\n%s", resp.StatusCode, body)
	}
	_, me := s.me(t, c)
	want := map[string]string{"email": "ada@acme.test", "name": "Ada (from SCIM)", "org": "acme", "role": "member"}
	if diff := cmp.Diff(want, me); diff != "" {
		t.Errorf("/api/v1/me (-want +got):\n%s", diff)
	}
}

func TestSSOCallbackRefusals(t *testing.T) {
	t.Parallel()
	type refusal struct {
		status int
		msg    string
	}
	tests := []struct {
		name string
		// callback builds the callback query from the authorize query.
		callback func(t *testing.T, s *stack, c *http.Client, q url.Values) url.Values
		want     refusal
	}{
		{"IdP returned access_denied", func(_ *testing.T, _ *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"error": {"access_denied"}, "error_description": {"User is not assigned to the client application."}, "state": {q.Get("state")}}
		}, refusal{403, "Okta returned an error (access_denied): User is not assigned to the client application."}},
		{"state missing", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), nil)}}
		}, refusal{400, "no state parameter"}},
		{"state unknown", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), nil)}, "state": {"forged"}}
		}, refusal{400, "state parameter is unknown"}},
		{"state reused", func(t *testing.T, s *stack, c *http.Client, q url.Values) url.Values {
			cb := url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "email": "a@acme.test"})}, "state": {q.Get("state")}}
			if resp, _ := s.callback(t, c, cb); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first callback status %d", resp.StatusCode)
			}
			if _, err := c.Post(s.app.URL+"/logout", "", nil); err != nil {
				t.Fatal(err)
			}
			return cb
		}, refusal{400, "already used"}},
		{"attempt expired", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			s.advance(11 * time.Minute)
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), nil)}, "state": {q.Get("state")}}
		}, refusal{400, "expired"}},
		{"other browser", func(_ *testing.T, s *stack, c *http.Client, q url.Values) url.Values {
			u, _ := url.Parse(s.app.URL + "/sso/oidc/callback")
			c.Jar.SetCookies(u, []*http.Cookie{{Name: "refapp_sso_attempt", Value: "someone-else", Path: "/sso/oidc/callback", MaxAge: -1}})
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), nil)}, "state": {q.Get("state")}}
		}, refusal{400, "another browser"}},
		{"wrong client secret", func(t *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			s.setSSO(t, "wrong-secret")
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), nil)}, "state": {q.Get("state")}}
		}, refusal{502, "Okta refused the app's client credentials (invalid_client)"}},
		{"PKCE verifier does not match", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode("other-challenge", nil)}, "state": {q.Get("state")}}
		}, refusal{502, "Okta refused the authorization code (invalid_grant)"}},
		{"wrong nonce", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": "other", "email": "a@acme.test"})}, "state": {q.Get("state")}}
		}, refusal{502, "wrong nonce"}},
		{"wrong audience", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "aud": "someone-else", "email": "a@acme.test"})}, "state": {q.Get("state")}}
		}, refusal{502, "wrong audience"}},
		{"wrong issuer", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "iss": "https://evil.test", "email": "a@acme.test"})}, "state": {q.Get("state")}}
		}, refusal{502, "wrong issuer"}},
		{"expired ID token", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "exp": time.Now().Add(-time.Minute).Unix(), "email": "a@acme.test"})}, "state": {q.Get("state")}}
		}, refusal{502, "has expired"}},
		{"no email claim", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce")})}, "state": {q.Get("state")}}
		}, refusal{502, "no email claim"}},
		{"email not verified", func(_ *testing.T, s *stack, _ *http.Client, q url.Values) url.Values {
			return url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "email": "a@acme.test", "email_verified": false})}, "state": {q.Get("state")}}
		}, refusal{403, "not verified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			c := browser(t)
			q := s.startSSO(t, c)
			resp, body := s.callback(t, c, tt.callback(t, s, c, q))
			if resp.StatusCode != tt.want.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want.status)
			}
			for _, frag := range []string{`<main id="error"`, `<h1>Sign-in failed</h1>`, htmlEscape(tt.want.msg)} {
				if !strings.Contains(body, frag) {
					t.Errorf("error page lacks %q; body:\n%s", frag, body)
				}
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == "refapp_session" && ck.Value != "" {
					t.Error("a session cookie was set on a refused login")
				}
			}
			if status, _ := s.me(t, c); status != http.StatusUnauthorized {
				t.Errorf("/api/v1/me after refusal: status %d, want 401", status)
			}
		})
	}
}

func htmlEscape(s string) string { return strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(s) }

func TestPasswordLoginAndPages(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := browser(t)
	resp, _ := get(t, c, s.app.URL+"/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("GET / signed out = %d -> %q, want 303 /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := get(t, c, s.app.URL+"/login")
	for _, frag := range []string{`name="email"`, `name="password"`, `>Sign in</button>`, `<a id="sso-link" href="/sso">Single Sign On (SSO)</a>`} {
		if !strings.Contains(body, frag) {
			t.Errorf("login page lacks %q", frag)
		}
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		resp, err := c.PostForm(s.app.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, form := range []url.Values{
		{"email": {"boss@acme.test"}, "password": {"wrong password"}},
		{"email": {"nobody@acme.test"}, "password": {"correct horse"}},
	} {
		resp, body := post("/login", form)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Incorrect email or password.") {
			t.Errorf("bad login %v = %d, want 401 with the generic message", form.Get("email"), resp.StatusCode)
		}
	}
	resp, _ = post("/login", url.Values{"email": {"BOSS@acme.test"}, "password": {"correct horse"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good login status %d, want 303", resp.StatusCode)
	}
	if status, me := s.me(t, c); status != 200 || me["role"] != "admin" || me["name"] != "boss@acme.test" {
		t.Errorf("/api/v1/me = %d %v", status, me)
	}
	resp, _ = post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout status %d", resp.StatusCode)
	}
	if status, me := s.me(t, c); status != http.StatusUnauthorized || me["error"] != "unauthenticated" {
		t.Errorf("/api/v1/me after logout = %d %v", status, me)
	}

	// The SSO path: organization name, Continue, Sign in with Okta.
	resp, _ = post("/sso", url.Values{"org": {"ACME"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sso/acme" {
		t.Errorf("POST /sso acme = %d -> %q, want 303 /sso/acme", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, c, s.app.URL+"/sso/acme")
	if !strings.Contains(body, `<a id="okta-signin" class="button" href="/sso/acme/start">Sign in with Okta</a>`) {
		t.Errorf("org SSO page lacks the Okta link:\n%s", body)
	}
	resp, body = post("/sso", url.Values{"org": {"nope"}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `<p class="error"`) {
		t.Errorf("POST /sso unknown org = %d, want 404 with p.error", resp.StatusCode)
	}
	if _, err := s.adm.CreateOrg(context.Background(), admin.OrgInput{Name: "nosso", Plan: "pro",
		AdminEmail: "a@nosso.test", AdminPassword: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	resp, body = post("/sso", url.Values{"org": {"nosso"}})
	if resp.StatusCode < 400 || !strings.Contains(body, "has not set up Single Sign On") {
		t.Errorf("POST /sso org without SSO = %d, want 4xx with a clear message", resp.StatusCode)
	}
	resp, body = get(t, c, s.app.URL+"/healthz")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	req, err := http.NewRequest("POST", s.app.URL+"/login", strings.NewReader("email=boss%40acme.test&password=correct+horse"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := browser(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /login status %d, want 403", resp.StatusCode)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	st, err := refapp.OpenStore(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tests := []struct {
		cfg     refapp.Config
		wantErr bool
	}{
		{refapp.Config{BaseURL: "http://app.test:8080", Store: st}, false},
		{refapp.Config{BaseURL: "https://app.example.com/", Store: st}, false},
		{refapp.Config{BaseURL: "http://app.test:8080"}, true},
		{refapp.Config{BaseURL: "app.test", Store: st}, true},
		{refapp.Config{BaseURL: "http://app.test/sub", Store: st}, true},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); (err != nil) != tt.wantErr {
			t.Errorf("Validate(%q, store %v) = %v, wantErr %v", tt.cfg.BaseURL, tt.cfg.Store != nil, err, tt.wantErr)
		}
	}
	for _, dsn := range []string{"postgres://x", "sqlite:", "refapp.db"} {
		if _, err := refapp.OpenStore(context.Background(), dsn); err == nil {
			t.Errorf("OpenStore(%q) succeeded, want an error", dsn)
		}
	}
}
