package samlidp

import (
	"encoding/base64"
	"encoding/xml"
	"flag"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, rewriting it under -update.
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

const (
	testACS       = "http://sp.test:8081/sso/saml/acs"
	testAudience  = "http://sp.test:8081/sso/saml/metadata"
	testExtKey    = "exk1SAMLTESTxyz0h7Z9"
	alicePassword = "Alice-Passw0rd"
	carolPassword = "Carol-Passw0rd"
)

// testNow is the fixed clock of every test: IdP and SP agree on it.
var testNow = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// env is an IdP for org "acme" on 127.0.0.1 with app "Test SP", alice (assigned, in groups) and carol
// (not assigned).
type env struct {
	dir          *directory.Org
	idp          *IdP
	log          *syslog.Log
	base         string // org base URL
	app          directory.App
	alice, carol directory.User
}

func newEnv(t testing.TB, settings func(*directory.SAMLSettings)) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.New(directory.Config{Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{dir: dir, base: "http://" + ln.Addr().String() + "/acme", log: syslog.New(syslog.Config{})}
	groups := map[string][]string{}
	e.idp, err = New(Config{BaseURL: e.base, Directory: dir, SystemLog: e.log,
		Now: func() time.Time { return testNow }, Groups: func(id string) []string { return groups[id] }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.idp.Mount(mux)
	outer := http.NewServeMux()
	outer.Handle("/acme/", http.StripPrefix("/acme", mux))
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: outer}}
	srv.Start()
	t.Cleanup(srv.Close)

	s := directory.SAMLSettings{ExternalKey: testExtKey, SSOURL: testACS, Audience: testAudience,
		RequestableSSOURLs: []string{"http://sp.test:8081/sso/saml/acs2"},
		Attributes: []directory.SAMLAttribute{{Name: "email", Value: "email"}, {Name: "firstName", Value: "firstName"},
			{Name: "lastName", Value: "lastName"}, {Name: "displayName", NameFormat: "basic", Value: "displayName"}},
		GroupAttribute: &directory.SAMLGroupAttribute{Name: "groups", Filter: "STARTS_WITH", Value: "SP "}}
	if settings != nil {
		settings(&s)
	}
	if e.app, err = dir.CreateSAMLApp(directory.SAMLAppInput{Label: "Test SP", Settings: s}); err != nil {
		t.Fatal(err)
	}
	if e.alice, err = dir.CreateUser(directory.UserInput{Login: "alice@acme.test", FirstName: "Alice", LastName: "Anderson", Password: alicePassword}); err != nil {
		t.Fatal(err)
	}
	if e.carol, err = dir.CreateUser(directory.UserInput{Login: "carol@acme.test", FirstName: "Carol", LastName: "Clark", Password: carolPassword}); err != nil {
		t.Fatal(err)
	}
	groups[e.alice.ID] = []string{"Everyone", "SP Admins", "SP Users", "Finance"}
	if _, err := dir.Assign(e.app.ID, e.alice.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) setFaults(t testing.TB, faults ...string) {
	t.Helper()
	if err := e.dir.SetFaults(e.app.ID, faults); err != nil {
		t.Fatal(err)
	}
	var ok bool
	if e.app, ok = e.dir.App(e.app.ID); !ok {
		t.Fatal("app vanished")
	}
}

func (e *env) ssoURL() string { return e.idp.SSOURL(e.app.SAML.AppName, e.app.SAML.ExternalKey) }

// sp returns a crewjam ServiceProvider for the app, built from the IdP metadata as served now.
func (e *env) sp(t testing.TB) *saml.ServiceProvider {
	t.Helper()
	p := get(t, browser(t), e.idp.MetadataURL(e.app.SAML.ExternalKey))
	if p.status != http.StatusOK {
		t.Fatalf("metadata: status %d", p.status)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(p.body), &md); err != nil {
		t.Fatal(err)
	}
	acs, _ := url.Parse(testACS)
	return &saml.ServiceProvider{EntityID: testAudience, AcsURL: *acs, IDPMetadata: &md,
		Clock: dsig.NewFakeClockAt(testNow)}
}

// authnRequest makes an AuthnRequest of sp for the IdP's SSO URL.
func (e *env) authnRequest(t testing.TB, sp *saml.ServiceProvider) *saml.AuthnRequest {
	t.Helper()
	req, err := sp.MakeAuthenticationRequest(e.ssoURL(), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// send delivers req over binding ("redirect" or "post") in browser c.
func (e *env) send(t testing.TB, c *http.Client, sp *saml.ServiceProvider, req *saml.AuthnRequest, binding, relayState string) page {
	t.Helper()
	if binding == "redirect" {
		u, err := req.Redirect(relayState, sp)
		if err != nil {
			t.Fatal(err)
		}
		return get(t, c, u.String())
	}
	return postForm(t, c, e.ssoURL(), url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(xmlBytes(t, req.Element()))},
		"RelayState": {relayState}})
}

func xmlBytes(t testing.TB, el *etree.Element) []byte {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// browser is a cookie-keeping client that does not follow redirects.
func browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type page struct {
	status int
	body   string
}

func get(t testing.TB, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values) page {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func readPage(t testing.TB, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, string(b)}
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	hiddenVal  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// form returns the action and hidden fields of the page's form.
func form(t testing.TB, p page) (action string, fields url.Values) {
	t.Helper()
	a := formAction.FindStringSubmatch(p.body)
	if a == nil {
		t.Fatalf("no form on the page (status %d):\n%.2000s", p.status, p.body)
	}
	fields = url.Values{}
	for _, m := range hiddenVal.FindAllStringSubmatch(p.body, -1) {
		fields.Add(m[1], html.UnescapeString(m[2]))
	}
	return html.UnescapeString(a[1]), fields
}

// signIn submits the login page lp as a browser would.
func (e *env) signIn(t testing.TB, c *http.Client, lp page, login, password string) page {
	t.Helper()
	action, fields := form(t, lp)
	if !strings.Contains(lp.body, `id="okta-signin-username"`) {
		t.Fatalf("not a login page (status %d):\n%s", lp.status, lp.body)
	}
	u, err := url.Parse(e.base)
	if err != nil {
		t.Fatal(err)
	}
	fields.Set("username", login)
	fields.Set("password", password)
	return postForm(t, c, u.Scheme+"://"+u.Host+action, fields)
}

// samlResponse reads the auto-submit page: the ACS, the decoded response and the RelayState.
func samlResponse(t testing.TB, p page) (acs string, raw []byte, relayState string) {
	t.Helper()
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="SAMLResponse"`) {
		t.Fatalf("not a SAMLResponse form (status %d):\n%.2000s", p.status, p.body)
	}
	action, fields := form(t, p)
	raw, err := base64.StdEncoding.DecodeString(fields.Get("SAMLResponse"))
	if err != nil {
		t.Fatalf("SAMLResponse is not base64: %v", err)
	}
	return action, raw, fields.Get("RelayState")
}

// signedInBrowser returns a browser with an IdP session for alice.
func (e *env) signedInBrowser(t testing.TB) *http.Client {
	t.Helper()
	c := browser(t)
	sp := e.sp(t)
	lp := e.send(t, c, sp, e.authnRequest(t, sp), "redirect", "")
	samlResponse(t, e.signIn(t, c, lp, "alice@acme.test", alicePassword))
	return c
}

func decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
