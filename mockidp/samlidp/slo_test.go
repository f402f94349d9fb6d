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
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/internal/testcert"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
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
	spKey, spCert, spPEM := testcert.SelfSigned(t, "sp.test", testNow)
	e := newEnv(t, func(s *directory.SAMLSettings) { s.SLOURL, s.SPCertificate = testSLO, spPEM })
	sloURL := e.idp.SLOURL(e.app.SAML.AppName, e.app.SAML.ExternalKey)
	sp := e.sp(t)
	slos := sp.IDPMetadata.IDPSSODescriptors[0].SingleLogoutServices
	if len(slos) != 2 || slos[0].Binding != saml.HTTPPostBinding || slos[1].Binding != saml.HTTPRedirectBinding ||
		slos[0].Location != sloURL || slos[1].Location != sloURL {
		t.Fatalf("SingleLogoutService: %+v", slos)
	}
	slo, _ := url.Parse(testSLO)
	sp.SloURL = *slo
	sp.Key, sp.Certificate, sp.SignatureMethod = spKey, spCert, dsig.RSASHA256SignatureMethod
	for _, binding := range []string{"redirect", "post"} {
		t.Run(binding, func(t *testing.T) {
			c := e.signedInBrowser(t)
			lr, err := sp.MakeLogoutRequest(sloURL, "alice@acme.test")
			if err != nil {
				t.Fatal(err)
			}
			var p page
			if binding == "redirect" {
				u, err := sp.RedirectLogoutRequestURL(lr, "rs-slo")
				if err != nil {
					t.Fatal(err)
				}
				p = get(t, c, u.String())
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

	t.Run("signature refusals", func(t *testing.T) { sloSignatureRefusals(t, e, sp, sloURL) })

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

// sloSignatureRefusals sends LogoutRequests that Okta refuses (unsigned, signed by another key, altered
// after signing) over both bindings; each is refused, logged, and leaves the Okta session alive.
func sloSignatureRefusals(t *testing.T, e *env, sp *saml.ServiceProvider, sloURL string) {
	otherKey, otherCert, _ := testcert.SelfSigned(t, "sp.test", testNow)
	other := *sp
	other.Key, other.Certificate = otherKey, otherCert
	signedRedirect := func(p *saml.ServiceProvider, relay string) string {
		lr, err := p.MakeLogoutRequest(sloURL, "alice@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		u, err := p.RedirectLogoutRequestURL(lr, relay)
		if err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	signedPost := func(p *saml.ServiceProvider, edit func(string) string) url.Values {
		lr, err := p.MakeLogoutRequest(sloURL, "alice@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		x := edit(string(xmlBytes(t, lr.Element())))
		return url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(x))}}
	}
	unsigned, err := sp.MakeLogoutRequest(sloURL, "alice@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Signature = nil
	same := func(x string) string { return x }
	cases := []struct {
		name string
		send func(c *http.Client) page
	}{
		{"redirect unsigned", func(c *http.Client) page { return get(t, c, unsigned.Redirect("rs").String()) }},
		{"redirect other key", func(c *http.Client) page { return get(t, c, signedRedirect(&other, "rs")) }},
		{"redirect tampered", func(c *http.Client) page {
			return get(t, c, strings.Replace(signedRedirect(sp, "rs-one"), "RelayState=rs-one", "RelayState=rs-two", 1))
		}},
		{"post unsigned", func(c *http.Client) page {
			return postForm(t, c, sloURL, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(xmlBytes(t, unsigned.Element()))}})
		}},
		{"post other key", func(c *http.Client) page { return postForm(t, c, sloURL, signedPost(&other, same)) }},
		{"post tampered", func(c *http.Client) page {
			return postForm(t, c, sloURL, signedPost(sp, func(x string) string {
				return strings.Replace(x, "alice@acme.test", "carol@acme.test", 1)
			}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.signedInBrowser(t)
			p := tc.send(c)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "not signed with the signature certificate") {
				t.Errorf("status %d, want 400 and the signature page", p.status)
			}
			next := e.send(t, c, sp, e.authnRequest(t, sp), "redirect", "")
			if strings.Contains(next.body, `id="okta-signin-username"`) {
				t.Errorf("a refused LogoutRequest ended the Okta session")
			}
		})
	}
	if n := len(e.log.Events(syslog.Query{EventType: "app.auth.slo.saml.malformed_request.invalid_signature"})); n != len(cases) {
		t.Errorf("System Log has %d invalid-signature events, want %d", n, len(cases))
	}
}
