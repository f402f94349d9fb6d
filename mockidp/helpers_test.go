package mockidp_test

import (
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

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp"
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

const redirectURI = "http://app.test:8081/sso/oidc/callback"

// env is a mock Okta listening on 127.0.0.1 with org "acme", app "refapp",
// alice (assigned) and carol (not assigned).
type env struct {
	idp          *mockidp.Server
	org          *mockidp.Org
	app          mockidp.App
	alice, carol mockidp.User
}

const (
	alicePassword = "Alice-Passw0rd"
	carolPassword = "Carol-Passw0rd"
)

func newServer(t *testing.T, cfg mockidp.Config) *mockidp.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + ln.Addr().String()
	idp, err := mockidp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: idp}}
	srv.Start()
	t.Cleanup(srv.Close)
	return idp
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{idp: newServer(t, mockidp.Config{})}
	var err error
	if e.org, err = e.idp.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if e.app, err = e.org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	if e.alice, err = e.org.CreateUser(ctx, mockidp.UserInput{Login: "alice@acme.test", FirstName: "Alice", LastName: "Anderson", Password: alicePassword}); err != nil {
		t.Fatal(err)
	}
	if e.carol, err = e.org.CreateUser(ctx, mockidp.UserInput{Login: "carol@acme.test", FirstName: "Carol", LastName: "Clark", Password: carolPassword}); err != nil {
		t.Fatal(err)
	}
	if err := e.org.AssignUser(ctx, e.app.ID, e.alice.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// browser is a cookie-keeping client that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// authorizeURL builds an /authorize URL for the env's app; extra overrides
// or (with an empty value) removes parameters.
func (e *env) authorizeURL(extra map[string]string) string {
	q := url.Values{"client_id": {e.app.ClientID}, "redirect_uri": {redirectURI},
		"response_type": {"code"}, "scope": {"openid profile email"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return e.org.BaseURL() + "/oauth2/v1/authorize?" + q.Encode()
}

type page struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	fromURI    = regexp.MustCompile(`name="fromURI" value="([^"]+)"`)
)

// signIn submits the login page (which must be lp) as a browser would.
func signIn(t *testing.T, c *http.Client, base string, lp page, login, password string) page {
	t.Helper()
	a, f := formAction.FindStringSubmatch(lp.body), fromURI.FindStringSubmatch(lp.body)
	if a == nil || f == nil {
		t.Fatalf("not a login page (status %d):\n%s", lp.status, lp.body)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	action := u.Scheme + "://" + u.Host + html.UnescapeString(a[1])
	form := url.Values{"username": {login}, "password": {password}, "fromURI": {html.UnescapeString(f[1])}}
	resp, err := c.PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

// callback parses the Location of an authorization response.
func callback(t *testing.T, p page) url.Values {
	t.Helper()
	if p.status != http.StatusFound {
		t.Fatalf("status = %d, want 302; body:\n%s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	if !strings.HasPrefix(loc, redirectURI+"?") {
		t.Fatalf("Location = %q, want the redirect URI", loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// login runs authorize + sign-in and returns the authorization response.
func (e *env) login(t *testing.T, extra map[string]string, login, password string) url.Values {
	t.Helper()
	c := browser(t)
	lp := get(t, c, e.authorizeURL(extra))
	return callback(t, signIn(t, c, e.org.BaseURL(), lp, login, password))
}
