package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name  string
		extra map[string]string
		want  url.Values
	}{
		{"implicit without nonce", map[string]string{"response_type": "id_token", "nonce": ""}, url.Values{
			"error": {"invalid_request"}, "state": {"st-1"}, "error_description": {
				"The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' response types.."}}},
		{"okta_post_message with code", map[string]string{"response_mode": "okta_post_message"}, url.Values{
			"error": {"unsupported_response_mode"}, "state": {"st-1"}, "error_description": {
				"'okta_post_message' response mode cannot be used with the 'code' response type."}}},
		{"scope over 1024 characters", map[string]string{"scope": "openid" + strings.Repeat(" email", 170)}, url.Values{
			"error": {"invalid_scope"}, "state": {"st-1"}, "error_description": {
				"The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."}}},
		{"bad prompt", map[string]string{"prompt": "sometimes"}, url.Values{"error": {"invalid_request"}, "state": {"st-1"},
			"error_description": {"Invalid value for 'prompt' parameter. Supported values: [none, consent, login, enroll_authenticator]"}}},
		{"negative max_age", map[string]string{"max_age": "-1"}, url.Values{"error": {"invalid_request"}, "state": {"st-1"},
			"error_description": {"Invalid value for 'max_age' parameter. It should be within range 0 - 2^31-1."}}},
		{"prompt none with max_age 0", map[string]string{"prompt": "none", "max_age": "0"}, url.Values{
			"error": {"invalid_request"}, "state": {"st-1"}, "error_description": {
				"'prompt' parameter must not have the value 'none' for request with 'zero' as max_age."}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := e.get(browser(), e.authorizeURL("/oauth2", e.app, tc.extra))
			if diff := cmp.Diff(tc.want, e.callback(p)); diff != "" {
				t.Errorf("redirect query (-want +got):\n%s", diff)
			}
			if p.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("Referrer-Policy = %q", p.header.Get("Referrer-Policy"))
			}
		})
	}
}

func TestPromptAndMaxAge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := browser()
	if q := e.login(c, "/oauth2", e.app, nil); q.Get("code") == "" {
		t.Fatalf("first login: %v", q)
	}
	silent := e.callback(e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"prompt": "none"})))
	if silent.Get("code") == "" {
		t.Errorf("prompt=none with a session: %v, want a code", silent)
	}
	if p := e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"prompt": "login"})); !isLoginPage(p) {
		t.Errorf("prompt=login with a session: status %d, want the login page", p.status)
	}
	e.offset.Store(int64(10 * time.Minute))
	if p := e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"max_age": "300"})); !isLoginPage(p) {
		t.Errorf("max_age=300 with a 10-minute-old session: status %d, want the login page", p.status)
	}
	if q := e.callback(e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"max_age": "3600"}))); q.Get("code") == "" {
		t.Errorf("max_age=3600 with a 10-minute-old session: %v, want a code", q)
	}
	q := e.callback(e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"max_age": "300", "prompt": "none"})))
	if q.Get("error") != "login_required" {
		t.Errorf("prompt=none and a too-old session: %v, want login_required", q)
	}
	// Signing in again refreshes auth_time.
	q = e.login(c, "/oauth2", e.app, map[string]string{"max_age": "300"})
	_, claims := decodeJWT(t, e.tokens("/oauth2", e.app, q.Get("code"))["id_token"].(string))
	if !near(claims["auth_time"], e.now().Unix()) {
		t.Errorf("auth_time = %v, want now", claims["auth_time"])
	}
}

func isLoginPage(p page) bool {
	return p.status == http.StatusOK && strings.Contains(p.body, `id="okta-signin-submit"`)
}

func TestLoginHint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.get(browser(), e.authorizeURL("/oauth2", e.app, map[string]string{"login_hint": "alice@acme.test"}))
	if !strings.Contains(p.body, `id="okta-signin-username" name="username" value="alice@acme.test"`) {
		t.Errorf("login page does not pre-fill the username:\n%s", p.body)
	}
}

func TestResponseModes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	t.Run("form_post", func(t *testing.T) {
		t.Parallel()
		c := browser()
		lp := e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"response_mode": "form_post"}))
		p := e.signIn(c, lp, e.alice.Login, alicePassword)
		for _, want := range []string{`onload="document.forms[0].submit()"`, `<form method="post" action="` + redirectURI + `">`,
			`name="code" value="`, `name="state" value="st-1"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("form_post page lacks %s:\n%s", want, p.body)
			}
		}
		if p.status != http.StatusOK || p.header.Get("Location") != "" {
			t.Errorf("status %d, Location %q; want 200 and no redirect", p.status, p.header.Get("Location"))
		}
	})
	t.Run("fragment", func(t *testing.T) {
		t.Parallel()
		c := browser()
		lp := e.get(c, e.authorizeURL("/oauth2", e.app, map[string]string{"response_mode": "fragment"}))
		p := e.signIn(c, lp, e.alice.Login, alicePassword)
		loc := must(url.Parse(p.header.Get("Location")))
		frag := must(url.ParseQuery(loc.Fragment))
		if loc.RawQuery != "" || frag.Get("code") == "" || frag.Get("state") != "st-1" {
			t.Errorf("Location %q: want code and state in the fragment", p.header.Get("Location"))
		}
		if p.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Referrer-Policy = %q", p.header.Get("Referrer-Policy"))
		}
	})
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app := e.newApp("spa")
	if err := e.dir.SetClientAuthentication(app.ID, "none", nil); err != nil {
		t.Fatal(err)
	}
	q := e.callback(e.get(browser(), e.authorizeURL("/oauth2", app, nil)))
	want := url.Values{"error": {"invalid_request"}, "state": {"st-1"},
		"error_description": {"PKCE code challenge is required by the application."}}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
