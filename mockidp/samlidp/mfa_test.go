package samlidp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp/session"
)

// TestMFA follows a SAML app whose sign-on rule asks for a second factor: the password leads to the
// Google Authenticator page, a wrong code stays there, the right one posts the SAMLResponse, and the next
// sign-in in the same Okta session asks for nothing.
func TestMFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	const secret = "JBSWY3DPEHPK3PXP"
	if err := e.dir.SetRequireMFA(e.app.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.dir.SetTOTPSecret(e.alice.ID, secret); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	sp := e.sp(t)
	challenge := e.signIn(t, c, e.send(t, c, sp, e.authnRequest(t, sp), "redirect", "rs"), "alice@acme.test", alicePassword)
	if !strings.Contains(challenge.body, `id="okta-mfa-answer"`) {
		t.Fatalf("no second-factor page after the password (status %d)", challenge.status)
	}
	answer := func(code string) page {
		action, fields := form(t, challenge)
		fields.Set("answer", code)
		u, _ := url.Parse(e.base)
		return postForm(t, c, u.Scheme+"://"+u.Host+action, fields)
	}
	if p := answer("000000"); p.status != http.StatusUnauthorized || strings.Contains(p.body, "SAMLResponse") {
		t.Errorf("wrong code: status %d", p.status)
	}
	code, err := session.TOTP(secret, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if acs, _, rs := samlResponse(t, answer(code)); acs != testACS || rs != "rs" {
		t.Errorf("after the factor: ACS %q RelayState %q", acs, rs)
	}
	samlResponse(t, e.send(t, c, sp, e.authnRequest(t, sp), "redirect", ""))
}
