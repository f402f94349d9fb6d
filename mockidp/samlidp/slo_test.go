package samlidp

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/crewjam/saml"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

const testSLO = "http://sp.test:8081/sso/saml/slo"

// TestSingleLogout follows Okta's SP-initiated single logout: metadata lists SingleLogoutService (POST and
// Redirect) only for an app with a Single Logout URL; a LogoutRequest over either binding ends the Okta
// session and is answered with a signed LogoutResponse posted to the Single Logout URL.
func TestSingleLogout(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, nil)
	if md := plain.sp(t).IDPMetadata.IDPSSODescriptors[0]; len(md.SingleLogoutServices) != 0 {
		t.Errorf("an app without single logout lists %d SingleLogoutService", len(md.SingleLogoutServices))
	}
	e := newEnv(t, func(s *directory.SAMLSettings) { s.SLOURL = testSLO })
	sloURL := e.idp.SLOURL(e.app.SAML.AppName, e.app.SAML.ExternalKey)
	sp := e.sp(t)
	slos := sp.IDPMetadata.IDPSSODescriptors[0].SingleLogoutServices
	if len(slos) != 2 || slos[0].Binding != saml.HTTPPostBinding || slos[1].Binding != saml.HTTPRedirectBinding ||
		slos[0].Location != sloURL || slos[1].Location != sloURL {
		t.Fatalf("SingleLogoutService: %+v", slos)
	}
	slo, _ := url.Parse(testSLO)
	sp.SloURL = *slo
	for _, binding := range []string{"redirect", "post"} {
		t.Run(binding, func(t *testing.T) {
			c := e.signedInBrowser(t)
			lr, err := sp.MakeLogoutRequest(sloURL, "alice@acme.test")
			if err != nil {
				t.Fatal(err)
			}
			var p page
			if binding == "redirect" {
				p = get(t, c, lr.Redirect("rs-slo").String())
			} else {
				p = postForm(t, c, sloURL, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(xmlBytes(t, lr.Element()))},
					"RelayState": {"rs-slo"}})
			}
			action, fields := form(t, p)
			if action != testSLO || fields.Get("RelayState") != "rs-slo" {
				t.Errorf("LogoutResponse goes to %q with RelayState %q", action, fields.Get("RelayState"))
			}
			delivered := httptest.NewRequest(http.MethodPost, testSLO, strings.NewReader(fields.Encode()))
			delivered.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if _, err := sp.ParseLogoutResponse(delivered, []string{lr.ID}); err != nil {
				if ivr, ok := errors.AsType[*saml.InvalidResponseError](err); ok {
					err = ivr.PrivateErr
				}
				t.Errorf("crewjam rejects the LogoutResponse to %s: %v", lr.ID, err)
			}
			next := e.send(t, c, sp, e.authnRequest(t, sp), "redirect", "")
			if !strings.Contains(next.body, `id="okta-signin-username"`) {
				t.Errorf("after single logout the next sign-in skips the login page (status %d)", next.status)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		other := *sp
		other.EntityID = "http://other.test/sp"
		lr, err := other.MakeLogoutRequest(sloURL, "alice@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		if p := get(t, browser(t), lr.Redirect("").String()); p.status != http.StatusBadRequest ||
			!strings.Contains(p.body, "SP Issuer") {
			t.Errorf("LogoutRequest from another issuer: %d", p.status)
		}
		plainSLO := plain.idp.SLOURL(plain.app.SAML.AppName, plain.app.SAML.ExternalKey)
		if p := postForm(t, browser(t), plainSLO, url.Values{"SAMLRequest": {"x"}}); p.status != http.StatusBadRequest ||
			!strings.Contains(p.body, "not enabled") {
			t.Errorf("single logout of an app without it: %d", p.status)
		}
	})
}
