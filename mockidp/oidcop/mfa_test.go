package oidcop_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/session"
)

const aliceTOTP = "JBSWY3DPEHPK3PXP"

// TestMFAPerApp follows an app whose sign-on rule asks for a second factor: after the password, the
// Google Authenticator page; a wrong code is refused there; the right one completes the sign-in with
// amr ["pwd", "mfa", "otp"]. Another app without the rule, in the same Okta session, reads the same amr
// and asks nothing; an app with the rule answers prompt=none with interaction_required until the session
// has passed the factor.
func TestMFAPerApp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mfaApp := e.newApp("mfa app")
	if err := e.dir.SetRequireMFA(mfaApp.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.dir.SetTOTPSecret(e.alice.ID, aliceTOTP); err != nil {
		t.Fatal(err)
	}
	c := browser()
	plain := e.tokens("/oauth2", e.app, e.login(c, "/oauth2", e.app, nil).Get("code"))
	if _, claims := decodeJWT(t, plain["id_token"].(string)); !cmp.Equal(claims["amr"], []any{"pwd"}) {
		t.Errorf("password only: amr %v", claims["amr"])
	}
	if q := e.callback(e.get(c, e.authorizeURL("/oauth2", mfaApp, map[string]string{"prompt": "none"}))); q.Get("error") != "interaction_required" {
		t.Errorf("prompt=none before the factor: %v", q)
	}

	challenge := e.get(c, e.authorizeURL("/oauth2", mfaApp, nil))
	if !strings.Contains(challenge.body, `id="okta-mfa-answer"`) {
		t.Fatalf("no second-factor page for the MFA app (status %d)", challenge.status)
	}
	if wrong := e.answer(c, challenge, "000000"); wrong.status != http.StatusUnauthorized || !strings.Contains(wrong.body, "match our records") {
		t.Errorf("wrong code: status %d", wrong.status)
	}
	code, err := session.TOTP(aliceTOTP, e.now())
	if err != nil {
		t.Fatal(err)
	}
	passed := e.tokens("/oauth2", mfaApp, e.callback(e.answer(c, challenge, code)).Get("code"))
	if _, claims := decodeJWT(t, passed["id_token"].(string)); !cmp.Equal(claims["amr"], []any{"pwd", "mfa", "otp"}) {
		t.Errorf("MFA app after the factor: amr %v", claims["amr"])
	}
	again := e.tokens("/oauth2", e.app, e.callback(e.get(c, e.authorizeURL("/oauth2", e.app, nil))).Get("code"))
	if _, claims := decodeJWT(t, again["id_token"].(string)); !cmp.Equal(claims["amr"], []any{"pwd", "mfa", "otp"}) {
		t.Errorf("the other app in the same session: amr %v", claims["amr"])
	}
}

// answer submits the second-factor page p with code.
func (e *env) answer(c *http.Client, p page, code string) page {
	e.t.Helper()
	a, f := formAction.FindStringSubmatch(p.body), fromURI.FindStringSubmatch(p.body)
	if a == nil || f == nil {
		e.t.Fatalf("not a second-factor page (status %d):\n%s", p.status, p.body)
	}
	return e.post(c, e.baseURL+html.UnescapeString(a[1]), url.Values{"answer": {code}, "fromURI": {html.UnescapeString(f[1])}}, "")
}
