package samlidp

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func TestMetadata(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	p := get(t, browser(t), e.idp.MetadataURL(testExtKey))
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	certText := regexp.MustCompile(`(?s)<ds:X509Certificate>(.*?)</ds:X509Certificate>`)
	m := certText.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no certificate in metadata")
	}
	for _, line := range strings.Split(m[1], "\n") {
		if len(line) > 76 {
			t.Errorf("certificate line of %d characters, want <= 76", len(line))
		}
	}
	checkOktaCert(t, m[1])
	got := certText.ReplaceAllString(p.body, "<ds:X509Certificate>CERTIFICATE</ds:X509Certificate>")
	golden(t, "metadata.golden.xml", []byte(strings.ReplaceAll(got, e.base, "{org}")))
}

// checkOktaCert checks the certificate has Okta's shape (mock-idp.md 1.9).
func checkOktaCert(t *testing.T, b64 string) {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(b64, "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := oktaSubject("acme")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.RawSubject, subject) || !bytes.Equal(c.RawIssuer, subject) ||
		!bytes.Contains(subject, []byte("\x16\x0dinfo@okta.com")) || !strings.HasPrefix(c.Subject.String(), "CN=acme,OU=SSOProvider,O=Okta,L=San Francisco,ST=California,C=US,") {
		t.Errorf("subject %q issuer %q", c.Subject, c.Issuer)
	}
	if got := c.PublicKey.(*rsa.PublicKey).N.BitLen(); got != 2048 || c.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("key %d bits, %v; want 2048, SHA256-RSA", got, c.SignatureAlgorithm)
	}
	if want := testNow.Truncate(time.Second).AddDate(10, 0, 0).Add(time.Minute); !c.NotAfter.Equal(want) || c.NotBefore.After(testNow) {
		t.Errorf("validity %v - %v, want until %v", c.NotBefore, c.NotAfter, want)
	}
	if c.SerialNumber.Int64() != testNow.UnixMilli() {
		t.Errorf("serial %v, want %d", c.SerialNumber, testNow.UnixMilli())
	}
}

func TestSSO(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, binding := range []string{"redirect", "post"} {
		t.Run(binding, func(t *testing.T) {
			c := browser(t)
			sp := e.sp(t)
			req := e.authnRequest(t, sp)
			lp := e.send(t, c, sp, req, binding, "rs-"+binding+"&x=1")
			if lp.status != http.StatusOK || !strings.Contains(lp.body, `id="okta-signin-submit" value="Sign In"`) {
				t.Fatalf("want the login page, got %d:\n%s", lp.status, lp.body)
			}
			acs, raw, relay := samlResponse(t, e.signIn(t, c, lp, "alice@acme.test", alicePassword))
			if acs != testACS || relay != "rs-"+binding+"&x=1" {
				t.Errorf("posted to %q with RelayState %q", acs, relay)
			}
			a, err := sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL)
			if err != nil {
				t.Fatalf("crewjam rejects the response: %v", privateErr(err))
			}
			if a.Subject.NameID.Value != "alice@acme.test" {
				t.Errorf("NameID %q", a.Subject.NameID.Value)
			}
			got := map[string][]string{}
			for _, st := range a.AttributeStatements {
				for _, at := range st.Attributes {
					for _, v := range at.Values {
						got[at.Name] = append(got[at.Name], v.Value)
					}
				}
			}
			want := map[string][]string{"email": {"alice@acme.test"}, "firstName": {"Alice"}, "lastName": {"Anderson"},
				"displayName": {"Alice Anderson"}, "groups": {"SP Admins", "SP Users"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}

			// A second request in the same browser skips the login page.
			req2 := e.authnRequest(t, sp)
			_, raw2, _ := samlResponse(t, e.send(t, c, sp, req2, binding, ""))
			if _, err := sp.ParseXMLResponse(raw2, []string{req2.ID}, sp.AcsURL); err != nil {
				t.Fatalf("second response rejected: %v", privateErr(err))
			}
		})
	}
	if n := len(e.log.Events(syslog.Query{EventType: syslog.TypeSSO})); n != 4 {
		t.Errorf("%d SSO events, want 4", n)
	}
}

func privateErr(err error) error {
	if ivr, ok := errors.AsType[*saml.InvalidResponseError](err); ok {
		return ivr.PrivateErr
	}
	return err
}

// TestResponseShape pins Okta's response shape; ids, times, digests, signatures and certificates are
// normalised.
func TestResponseShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := browser(t)
	sp := e.sp(t)
	req := e.authnRequest(t, sp)
	_, raw, _ := samlResponse(t, e.signIn(t, c, e.send(t, c, sp, req, "redirect", ""), "alice@acme.test", alicePassword))
	s := string(raw)
	for _, r := range []struct{ re, repl string }{
		{`(?s)<ds:X509Certificate>.*?</ds:X509Certificate>`, "<ds:X509Certificate>CERTIFICATE</ds:X509Certificate>"},
		{`<ds:SignatureValue>[^<]+</ds:SignatureValue>`, "<ds:SignatureValue>SIGNATURE</ds:SignatureValue>"},
		{`<ds:DigestValue>[^<]+</ds:DigestValue>`, "<ds:DigestValue>DIGEST</ds:DigestValue>"},
		{`"(#?)id[0-9]{25}"`, `"${1}ID"`},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.repl)
	}
	s = strings.ReplaceAll(s, req.ID, "REQUEST-ID")
	for _, ts := range []struct {
		d    time.Duration
		name string
	}{{0, "NOW"}, {-Window, "NOW-5m"}, {Window, "NOW+5m"}} {
		s = strings.ReplaceAll(s, timestamp(testNow.Add(ts.d)), ts.name)
	}
	golden(t, "response.golden.xml", []byte(s))
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	sp := e.sp(t)
	tests := []struct {
		name       string
		mutate     func(*saml.AuthnRequest)
		path       string // instead of the SSO URL
		status     int
		wantInPage string
	}{
		{name: "ACS neither SSO URL nor requestable", mutate: func(r *saml.AuthnRequest) {
			r.AssertionConsumerServiceURL = "http://evil.test/acs"
		}, status: 400, wantInPage: "is not the Single sign-on URL or a requestable SSO URL"},
		{name: "issuer is not the audience", mutate: func(r *saml.AuthnRequest) { r.Issuer.Value = "urn:other" },
			status: 400, wantInPage: "does not match the Audience URI"},
		{name: "unknown app", path: "/app/acme_testsp_1/exk00000000000000000/sso/saml", status: 404, wantInPage: "404 Page Not Found"},
		{name: "app name does not match", path: "/app/other_1/" + testExtKey + "/sso/saml", status: 404, wantInPage: "404 Page Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.authnRequest(t, sp)
			if tt.mutate != nil {
				tt.mutate(req)
			}
			u, err := req.Redirect("", sp)
			if err != nil {
				t.Fatal(err)
			}
			if tt.path != "" {
				base, _ := url.Parse(e.base)
				u.Path = base.Path + tt.path
			}
			p := get(t, browser(t), u.String())
			if p.status != tt.status || !strings.Contains(p.body, tt.wantInPage) || strings.Contains(p.body, "SAMLResponse") {
				t.Errorf("status %d, want %d with %q:\n%s", p.status, tt.status, tt.wantInPage, p.body)
			}
		})
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("<notxml")),
		base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0"/>`))} {
		p := postForm(t, browser(t), e.ssoURL(), url.Values{"SAMLRequest": {bad}})
		if p.status != 400 || !strings.Contains(p.body, "400 Bad Request") {
			t.Errorf("malformed request %q: status %d:\n%s", bad, p.status, p.body)
		}
	}
}

func TestRequestableACS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := browser(t)
	sp := e.sp(t)
	sp.AcsURL.Path = "/sso/saml/acs2"
	req := e.authnRequest(t, sp)
	acs, raw, _ := samlResponse(t, e.signIn(t, c, e.send(t, c, sp, req, "post", ""), "alice@acme.test", alicePassword))
	if acs != sp.AcsURL.String() {
		t.Fatalf("posted to %q, want the requested %q", acs, sp.AcsURL.String())
	}
	if _, err := sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL); err != nil {
		t.Fatalf("rejected: %v", privateErr(err))
	}
}

func TestLoginAndAssignment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	sp := e.sp(t)

	c := browser(t)
	lp := e.send(t, c, sp, e.authnRequest(t, sp), "redirect", "")
	bad := e.signIn(t, c, lp, "alice@acme.test", "wrong")
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "Unable to sign in") {
		t.Errorf("wrong password: status %d:\n%s", bad.status, bad.body)
	}

	p := e.signIn(t, c, lp, "carol@acme.test", carolPassword)
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "403 App Not Assigned") ||
		!strings.Contains(p.body, "Sorry, you cannot access Test SP because you are not assigned this app in Okta.") ||
		strings.Contains(p.body, "SAMLResponse") {
		t.Errorf("unassigned: status %d:\n%s", p.status, p.body)
	}
	deny := e.log.Events(syslog.Query{EventType: syslog.TypeUnauthAppAccess})
	if len(deny) != 1 || deny[0].Actor.ID != e.carol.ID || deny[0].Outcome.Result != "DENY" {
		t.Errorf("deny events: %+v", deny)
	}
	starts := e.log.Events(syslog.Query{EventType: syslog.TypeSessionStart})
	if len(starts) != 2 || starts[0].Outcome.Result != "FAILURE" || starts[1].Outcome.Result != "SUCCESS" {
		t.Errorf("session start events: %+v", starts)
	}

	// ForceAuthn shows the login page even with a session.
	req := e.authnRequest(t, sp)
	force := true
	req.ForceAuthn = &force
	if p := e.send(t, c, sp, req, "post", ""); !strings.Contains(p.body, `id="okta-signin-password"`) {
		t.Errorf("ForceAuthn: want the login page, got %d", p.status)
	}
}

func TestNameIDAndSigning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		settings   func(*directory.SAMLSettings)
		wantFormat string
		wantSigs   int // ds:Signature elements
	}{
		{"defaults", nil, directory.NameIDUnspecified, 2},
		{"email format", func(s *directory.SAMLSettings) { s.NameIDFormat = directory.NameIDEmail }, directory.NameIDEmail, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.settings)
			c := browser(t)
			sp := e.sp(t)
			req := e.authnRequest(t, sp)
			_, raw, _ := samlResponse(t, e.signIn(t, c, e.send(t, c, sp, req, "redirect", ""), "alice@acme.test", alicePassword))
			a, err := sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL)
			if err != nil {
				t.Fatalf("rejected: %v", privateErr(err))
			}
			if a.Subject.NameID.Format != tt.wantFormat || bytes.Count(raw, []byte("<ds:Signature ")) != tt.wantSigs {
				t.Errorf("format %q, %d signatures", a.Subject.NameID.Format, bytes.Count(raw, []byte("<ds:Signature ")))
			}
		})
	}
}

func TestSignatureSwitches(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                            string
		unsignedResp, unsignedAssertion bool
		wantResp, wantAssertion         bool
	}{
		{"assertion only", true, false, false, true},
		{"response only", false, true, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			app, err := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "Switch", UnsignedResponse: tt.unsignedResp,
				UnsignedAssertion: tt.unsignedAssertion, Settings: directory.SAMLSettings{SSOURL: testACS, Audience: testAudience}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.dir.Assign(app.ID, e.alice.ID); err != nil {
				t.Fatal(err)
			}
			e.app = app
			sp := e.sp(t)
			req := e.authnRequest(t, sp)
			c := browser(t)
			_, raw, _ := samlResponse(t, e.signIn(t, c, e.send(t, c, sp, req, "redirect", ""), "alice@acme.test", alicePassword))
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(raw); err != nil {
				t.Fatal(err)
			}
			gotResp := child(doc.Root(), "Signature") != nil
			gotAssertion := child(child(doc.Root(), "Assertion"), "Signature") != nil
			if gotResp != tt.wantResp || gotAssertion != tt.wantAssertion {
				t.Errorf("response signed %v, assertion signed %v", gotResp, gotAssertion)
			}
			if _, err := sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL); err != nil {
				t.Fatalf("rejected: %v", privateErr(err))
			}
		})
	}
}

func TestFilterGroups(t *testing.T) {
	t.Parallel()
	names := []string{"Everyone", "SP Admins", "SP Users", "Finance", "sp lower"}
	for _, tt := range []struct {
		filter, value string
		want          []string
	}{
		{"STARTS_WITH", "SP ", []string{"SP Admins", "SP Users"}},
		{"EQUALS", "Finance", []string{"Finance"}},
		{"CONTAINS", "in", []string{"SP Admins", "Finance"}},
		{"REGEX", "SP .*s", []string{"SP Admins", "SP Users"}},
		{"REGEX", "SP", nil}, // must match the whole name
		{"REGEX", "(", nil},
		{"UNKNOWN", "x", nil},
	} {
		if got := filterGroups(tt.filter, tt.value, names); !cmp.Equal(got, tt.want) {
			t.Errorf("%s %q: got %q, want %q", tt.filter, tt.value, got, tt.want)
		}
	}
}
