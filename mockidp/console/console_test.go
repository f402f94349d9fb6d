package console_test

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp/console"
	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

const password = "console-pw"

type env struct {
	t      *testing.T
	dir    *directory.Org
	log    *syslog.Log
	base   string
	client *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	log := syslog.New(syslog.Config{})
	dir, err := directory.New(directory.Config{Name: "acme", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/acme"
	c, err := console.New(console.Config{BaseURL: base, Directory: dir, Log: log, Token: "00token", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Mount(mux)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.StripPrefix("/acme", mux)}}
	srv.Start()
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &env{t: t, dir: dir, log: log, base: base, client: &http.Client{Jar: jar}}
}

func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := e.client.Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) post(path string, form url.Values) (int, string) {
	e.t.Helper()
	resp, err := e.client.PostForm(e.base+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) signIn() {
	e.t.Helper()
	if status, body := e.post("/admin/login", url.Values{"secret": {password}}); status != 200 || !strings.Contains(body, "People") {
		e.t.Fatalf("sign in: %d %s", status, body)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, body := e.get("/admin/users")
	if status != 200 || !strings.Contains(body, `id="secret"`) {
		t.Fatalf("unauthenticated GET: %d, want the login page", status)
	}
	if status, _ := e.post("/admin/users", url.Values{"login": {"x@acme.test"}}); status != 401 {
		t.Errorf("unauthenticated POST: %d, want 401", status)
	}
	if status, body := e.post("/admin/login", url.Values{"secret": {"wrong"}}); status != 401 || !strings.Contains(body, "Unable to sign in") {
		t.Errorf("wrong secret: %d", status)
	}
	for _, secret := range []string{"00token", password} {
		e := newEnv(t)
		if status, body := e.post("/admin/login", url.Values{"secret": {secret}}); status != 200 || !strings.Contains(body, "Add person") {
			t.Errorf("sign in with %q: %d", secret, status)
		}
	}
	if _, found := e.dir.UserByLogin("x@acme.test"); found {
		t.Error("an unauthenticated POST created a user")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn()
	req, _ := http.NewRequest("POST", e.base+"/admin/groups", strings.NewReader("name=Evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	if _, ok := e.dir.GroupByName("Evil"); ok {
		t.Error("a cross-site POST created a group")
	}
}

var (
	inputID  = regexp.MustCompile(`<(?:input|select)[^>]*\bid="([^"]+)"`)
	labelFor = regexp.MustCompile(`<label for="([^"]+)"`)
)

// TestAdminFlow creates, changes and assigns through the console and checks the directory and that
// every page renders with a label on every field.
func TestAdminFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app, _ := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://localhost:8081/cb"}})
	saml, _ := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "saml app", Settings: directory.SAMLSettings{
		SSOURL: "http://localhost:8081/sso/saml/acs", Audience: "http://localhost:8081/sso/saml/metadata"}})
	e.signIn()
	steps := []struct {
		path string
		form url.Values
	}{
		{"/admin/users", url.Values{"login": {"alice@acme.test"}, "firstName": {"Alice"}, "lastName": {"A"}, "password": {"pw"}, "activate": {"on"}}},
		{"/admin/users", url.Values{"login": {"bob@acme.test"}, "password": {"pw"}}}, // staged
		{"/admin/groups", url.Values{"name": {"Engineering"}, "description": {"Builders"}}},
	}
	for _, s := range steps {
		if status, body := e.post(s.path, s.form); status != 200 || !strings.Contains(body, "created") {
			t.Fatalf("POST %s: %d %s", s.path, status, body)
		}
	}
	alice, _ := e.dir.UserByLogin("alice@acme.test")
	bob, _ := e.dir.UserByLogin("bob@acme.test")
	g, _ := e.dir.GroupByName("Engineering")
	if bob.Status != directory.StatusStaged {
		t.Errorf("bob = %s, want STAGED", bob.Status)
	}
	for _, s := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users/" + bob.ID + "/activate", nil},
		{"/admin/users/" + alice.ID + "/suspend", nil},
		{"/admin/groups/" + g.ID + "/members", url.Values{"userId": {bob.ID}}},
		{"/admin/apps/" + saml.ID + "/groups", url.Values{"groupId": {g.ID}}},
		{"/admin/apps/" + app.ID + "/users", url.Values{"userId": {alice.ID}}},
	} {
		if status, body := e.post(s.path, s.form); status != 200 || strings.Contains(body, `class="banner error"`) {
			t.Fatalf("POST %s: %d %s", s.path, status, body)
		}
	}
	alice, _ = e.dir.User(alice.ID)
	if alice.Status != directory.StatusSuspended || !e.dir.IsAssigned(app.ID, alice.ID) || !e.dir.IsAssigned(saml.ID, bob.ID) {
		t.Errorf("directory: alice %s assigned %v, bob on saml %v", alice.Status,
			e.dir.IsAssigned(app.ID, alice.ID), e.dir.IsAssigned(saml.ID, bob.ID))
	}
	if status, body := e.post("/admin/apps/"+app.ID+"/users/"+alice.ID+"/remove", nil); status != 200 || e.dir.IsAssigned(app.ID, alice.ID) {
		t.Errorf("unassign: %d %s", status, body)
	}
	if _, body := e.post("/admin/groups", url.Values{"name": {"engineering"}}); !strings.Contains(body, "already taken") {
		t.Error("duplicate group: no error banner")
	}
	pages := map[string][]string{
		"/admin/users":                                {"alice@acme.test", "SUSPENDED"},
		"/admin/groups":                               {"Engineering"},
		"/admin/groups/" + g.ID:                       {"bob@acme.test"},
		"/admin/apps":                                 {"refapp", "SAML 2.0"},
		"/admin/apps/" + app.ID:                       {"Sign-in redirect URIs", "http://localhost:8081/cb"},
		"/admin/apps/" + app.ID + "?tab=signon":       {app.ClientSecret, e.base + "/.well-known/openid-configuration"},
		"/admin/apps/" + saml.ID + "?tab=signon":      {e.base + "/app/" + saml.SAML.ExternalKey + "/sso/saml/metadata", "http://www.okta.com/" + saml.SAML.ExternalKey},
		"/admin/apps/" + saml.ID + "?tab=assignments": {"Engineering", "bob@acme.test"},
		"/admin/logs":                                 {"user.lifecycle.suspend", "group.user_membership.add"},
	}
	for path, wants := range pages {
		status, body := e.get(path)
		if status != 200 {
			t.Errorf("GET %s: %d", path, status)
			continue
		}
		for _, want := range wants {
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&", "&amp;")) {
				t.Errorf("GET %s lacks %q", path, want)
			}
		}
		labels := map[string]bool{}
		for _, m := range labelFor.FindAllStringSubmatch(body, -1) {
			labels[m[1]] = true
		}
		for _, m := range inputID.FindAllStringSubmatch(body, -1) {
			if !labels[m[1]] {
				t.Errorf("GET %s: field #%s has no label", path, m[1])
			}
		}
	}
}
