package mockidp_test

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/internal/testcert"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// TestSAMLApp drives the root SAML API: an app created with CreateSAMLApp serves its metadata at
// MetadataURL and signs a crewjam SP in through SSOURL.
func TestSAMLApp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: idp}}
	srv.Start()
	t.Cleanup(srv.Close)
	org, err := idp.CreateOrg(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	const acs, audience = "http://sp.test:8081/sso/saml/acs", "http://sp.test:8081/sso/saml/metadata"
	spKey, spCert, spPEM := testcert.SelfSigned(t, "sp.test", time.Now())
	app, err := org.CreateSAMLApp(ctx, mockidp.SAMLAppInput{Label: "Test SP", SSOURL: acs, Audience: audience,
		NameIDFormat: mockidp.NameIDEmail, Attributes: []mockidp.SAMLAttribute{{Name: "email", Value: "email"}},
		SLOURL: "http://sp.test:8081/sso/saml/slo", SPCertificate: spPEM})
	if err != nil {
		t.Fatal(err)
	}
	if apps := org.SAMLApps(); len(apps) != 1 || apps[0] != app {
		t.Fatalf("SAMLApps() = %+v, want [%+v]", apps, app)
	}
	if app.EntityID != "http://www.okta.com/"+app.ExternalKey ||
		app.SSOURL != org.BaseURL()+"/app/acme_testsp_1/"+app.ExternalKey+"/sso/saml" {
		t.Errorf("app %+v", app)
	}
	u, err := org.CreateUser(ctx, mockidp.UserInput{Login: "alice@acme.test", Password: "Alice-Passw0rd"})
	if err != nil {
		t.Fatal(err)
	}
	if err := org.AssignUser(ctx, app.ID, u.ID); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	oidcApp, err := org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "oidc", RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	if err := org.AssignUser(ctx, oidcApp.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if q := silentAuthorize(t, jar, org.BaseURL(), oidcApp.ClientID); q.Get("error") != "login_required" {
		t.Fatalf("prompt=none before any sign-in: %v, want login_required", q)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(samlFetch(t, c, http.MethodGet, app.MetadataURL, nil), &md); err != nil {
		t.Fatal(err)
	}
	acsURL, _ := url.Parse(acs)
	sp := &saml.ServiceProvider{EntityID: audience, AcsURL: *acsURL, IDPMetadata: &md}
	req, err := sp.MakeAuthenticationRequest(app.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	redirect, err := req.Redirect("rs-1", sp)
	if err != nil {
		t.Fatal(err)
	}
	loginPage := samlFetch(t, c, http.MethodGet, redirect.String(), nil)
	login := samlFields(loginPage)
	login.Set("username", "alice@acme.test")
	login.Set("password", "Alice-Passw0rd")
	action := regexp.MustCompile(`action="([^"]+)"`).FindSubmatch(loginPage)
	if action == nil {
		t.Fatalf("no login form:\n%s", loginPage)
	}
	posted := samlFields(samlFetch(t, c, http.MethodPost, "http://"+ln.Addr().String()+html.UnescapeString(string(action[1])), login))
	raw, err := base64.StdEncoding.DecodeString(posted.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := sp.ParseXMLResponse(raw, []string{req.ID}, *acsURL)
	if err != nil {
		if ivr, ok := errors.AsType[*saml.InvalidResponseError](err); ok {
			err = ivr.PrivateErr
		}
		t.Fatalf("crewjam rejects the response: %v", err)
	}
	if a.Subject.NameID.Value != "alice@acme.test" || posted.Get("RelayState") != "rs-1" {
		t.Errorf("NameID %q, RelayState %q", a.Subject.NameID.Value, posted.Get("RelayState"))
	}
	// One Okta session covers every app of the org: after the SAML sign-in an OIDC app's
	// /authorize?prompt=none answers with a code, no password asked.
	if q := silentAuthorize(t, jar, org.BaseURL(), oidcApp.ClientID); q.Get("code") == "" || q.Get("error") != "" {
		t.Errorf("prompt=none after a SAML sign-in: %v, want a code", q)
	}
	// SAML single logout ends that one session, so the OIDC app loses it too.
	// Okta verifies the LogoutRequest's signature with the app's signature certificate.
	sp.Key, sp.Certificate, sp.SignatureMethod = spKey, spCert, dsig.RSASHA256SignatureMethod
	lr, err := sp.MakeLogoutRequest(strings.Replace(app.SSOURL, "/sso/saml", "/slo/saml", 1), "alice@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	sloURL, err := sp.RedirectLogoutRequestURL(lr, "")
	if err != nil {
		t.Fatal(err)
	}
	if page := samlFetch(t, c, http.MethodGet, sloURL.String(), nil); !strings.Contains(string(page), "SAMLResponse") {
		t.Fatalf("single logout: no LogoutResponse form:\n%s", page)
	}
	if q := silentAuthorize(t, jar, org.BaseURL(), oidcApp.ClientID); q.Get("error") != "login_required" {
		t.Errorf("prompt=none after SAML single logout: %v, want login_required", q)
	}
	if ev := org.SystemLog().Events(syslog.Query{EventType: syslog.TypeSSO, TargetID: app.ID}); len(ev) != 1 {
		t.Errorf("%d SSO events in the System Log", len(ev))
	}
	if len(mockidp.Faults()) == 0 {
		t.Error("no SAML faults")
	}
}

func samlFetch(t *testing.T, c *http.Client, method, u string, form url.Values) []byte {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = c.Get(u)
	} else {
		resp, err = c.PostForm(u, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %v\n%s", method, u, resp.StatusCode, err, b)
	}
	return b
}

// samlFields returns the hidden fields of a page's form.
func samlFields(page []byte) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllSubmatch(page, -1) {
		v.Add(string(m[1]), html.UnescapeString(string(m[2])))
	}
	return v
}

// silentAuthorize sends /authorize?prompt=none with the browser's cookies and returns the redirect's query.
func silentAuthorize(t *testing.T, jar http.CookieJar, base, clientID string) url.Values {
	t.Helper()
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/oauth2/v1/authorize?" + url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI},
		"response_type": {"code"}, "scope": {"openid"}, "state": {"st"}, "prompt": {"none"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("prompt=none: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}
