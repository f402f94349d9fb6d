package oidcop_test

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oidcop"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

const (
	redirectURI   = "http://app.test:8081/cb"
	logoutURI     = "http://app.test:8081/signed-out"
	alicePassword = "Alice-Passw0rd"
)

// env is a provider for org "acme" on 127.0.0.1, with alice (assigned to
// app) and carol (not assigned). clock shifts the provider's time.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	p       *oidcop.Provider
	dir     *directory.Org
	log     *syslog.Log
	issuer  string
	app     directory.App
	alice   directory.User
	carol   directory.User
	offset  *atomic.Int64
	baseURL string
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }

func newEnv(t *testing.T) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, offset: &atomic.Int64{}, baseURL: "http://" + ln.Addr().String()}
	e.issuer = e.baseURL + "/acme"
	e.log = syslog.New(syslog.Config{})
	if e.dir, err = directory.New(directory.Config{Name: "acme"}); err != nil {
		t.Fatal(err)
	}
	if e.p, err = oidcop.New(oidcop.Config{Issuer: e.issuer, OrgID: e.dir.ID(), Directory: e.dir,
		Now: e.now, Log: e.log}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/acme/", http.StripPrefix("/acme", e.p))
	e.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	e.app = e.newApp("refapp")
	e.alice = must(e.dir.CreateUser(directory.UserInput{Login: "alice@acme.test", FirstName: "Alice",
		LastName: "Anderson", Password: alicePassword}))
	e.carol = must(e.dir.CreateUser(directory.UserInput{Login: "carol@acme.test", Password: "pw"}))
	must(e.dir.Assign(e.app.ID, e.alice.ID))
	return e
}

// newApp creates an OIDC app with the given faults; alice is assigned when
// the env already has her.
func (e *env) newApp(label string, faults ...string) directory.App {
	e.t.Helper()
	app := must(e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: label, RedirectURIs: []string{redirectURI}}))
	if err := e.dir.SetRedirectURIs(app.ID, []string{redirectURI}, []string{logoutURI}); err != nil {
		e.t.Fatal(err)
	}
	if len(faults) > 0 {
		if err := e.dir.SetFaults(app.ID, faults); err != nil {
			e.t.Fatal(err)
		}
	}
	if e.alice.ID != "" {
		must(e.dir.Assign(app.ID, e.alice.ID))
	}
	app, _ = e.dir.App(app.ID)
	return app
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// browser keeps cookies and does not follow redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(c *http.Client, req *http.Request) page {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

func (e *env) get(c *http.Client, u string) page {
	e.t.Helper()
	return e.do(c, must(http.NewRequestWithContext(e.t.Context(), "GET", u, nil)))
}

// post sends a form; auth, when set, is the Authorization header.
func (e *env) post(c *http.Client, u string, form url.Values, auth string) page {
	e.t.Helper()
	req := must(http.NewRequestWithContext(e.t.Context(), "POST", u, strings.NewReader(form.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return e.do(c, req)
}

// authorizeURL builds an /authorize URL on server prefix ("/oauth2" or
// "/oauth2/default") for app; extra overrides or (empty) removes parameters.
func (e *env) authorizeURL(prefix string, app directory.App, extra map[string]string) string {
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return e.issuer + prefix + "/v1/authorize?" + q.Encode()
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	fromURI    = regexp.MustCompile(`name="fromURI" value="([^"]+)"`)
)

// signIn submits the login page lp.
func (e *env) signIn(c *http.Client, lp page, login, password string) page {
	e.t.Helper()
	a, f := formAction.FindStringSubmatch(lp.body), fromURI.FindStringSubmatch(lp.body)
	if a == nil || f == nil {
		e.t.Fatalf("not a login page (status %d):\n%s", lp.status, lp.body)
	}
	form := url.Values{"username": {login}, "password": {password}, "fromURI": {html.UnescapeString(f[1])}}
	return e.post(c, e.baseURL+html.UnescapeString(a[1]), form, "")
}

// callback parses the query of a redirect to redirectURI.
func (e *env) callback(p page) url.Values {
	e.t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusFound || !strings.HasPrefix(loc, redirectURI+"?") {
		e.t.Fatalf("status %d, Location %q; want a redirect to the app\n%s", p.status, loc, p.body)
	}
	return must(url.Parse(loc)).Query()
}

// login runs authorize + sign-in as alice in browser c.
func (e *env) login(c *http.Client, prefix string, app directory.App, extra map[string]string) url.Values {
	e.t.Helper()
	return e.callback(e.signIn(c, e.get(c, e.authorizeURL(prefix, app, extra)), e.alice.Login, alicePassword))
}

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// token posts to prefix's /token and decodes the JSON answer.
func (e *env) token(prefix string, form url.Values, auth string) (int, map[string]any) {
	e.t.Helper()
	if !form.Has("grant_type") {
		form.Set("grant_type", "authorization_code")
	}
	if !form.Has("redirect_uri") {
		form.Set("redirect_uri", redirectURI)
	}
	return e.jsonPost(e.issuer+prefix+"/v1/token", form, auth)
}

func (e *env) jsonPost(u string, form url.Values, auth string) (int, map[string]any) {
	e.t.Helper()
	p := e.post(http.DefaultClient, u, form, auth)
	var body map[string]any
	if err := json.Unmarshal([]byte(p.body), &body); err != nil {
		e.t.Fatalf("%s: status %d, not JSON: %q", u, p.status, p.body)
	}
	return p.status, body
}

// tokens exchanges a code for app with client_secret_basic and requires success.
func (e *env) tokens(prefix string, app directory.App, code string) map[string]any {
	e.t.Helper()
	status, body := e.token(prefix, url.Values{"code": {code}}, basicAuth(app.ClientID, app.ClientSecret))
	if status != http.StatusOK {
		e.t.Fatalf("token: status %d, body %v", status, body)
	}
	return body
}

// decodeJWT returns a JWT's header and claims without verifying it.
func decodeJWT(t *testing.T, raw string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", raw)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func wantOAuthError(t *testing.T, status int, body map[string]any, wantStatus int, code, desc string) {
	t.Helper()
	if status != wantStatus || body["error"] != code || body["error_description"] != desc {
		t.Errorf("got %d %v; want %d {error: %s, error_description: %s}", status, body, wantStatus, code, desc)
	}
}

type oidcopApp = directory.App

// hmacVerifies checks an HS256 JWS with key.
func hmacVerifies(raw string, key []byte) bool {
	parts := strings.Split(raw, ".")
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)) == parts[2]
}

func publicPEM(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
