package mgmtapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/mgmtapi"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const token = "00test-token-0123456789"

var clock = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 890e6, time.UTC) }

type env struct {
	t    *testing.T
	dir  *directory.Org
	base string
	addr string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	log := syslog.New(syslog.Config{Now: clock})
	dir, err := directory.New(directory.Config{Name: "acme", Now: clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	api, err := mgmtapi.New(mgmtapi.Config{BaseURL: base, Directory: dir, Log: log, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Mount(mux)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, dir: dir, base: base, addr: ln.Addr().String()}
}

// do sends a request with the API token and returns the status and body.
func (e *env) do(method, path, body string) (int, []byte) {
	e.t.Helper()
	return e.doAuth(method, path, body, "SSWS "+token)
}

func (e *env) doAuth(method, path, body, auth string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// id extracts the "id" field of a JSON object.
func id(t *testing.T, body []byte) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %s (%v)", body, err)
	}
	return v.ID
}

func errorCode(body []byte) string {
	var v struct{ ErrorCode string }
	_ = json.Unmarshal(body, &v)
	return v.ErrorCode
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		auth   string
		status int
		code   string
	}{
		{"", 403, "E0000005"}, {token, 403, "E0000005"}, {"Basic " + token, 403, "E0000005"},
		{"SSWS wrong", 401, "E0000011"}, {"SSWS", 403, "E0000005"}, {"Bearer " + token, 401, "E0000011"},
	} {
		status, body := e.doAuth("GET", "/api/v1/users", "", c.auth)
		if status != c.status || errorCode(body) != c.code {
			t.Errorf("Authorization %q: %d %s, want %d %s", c.auth, status, body, c.status, c.code)
		}
	}
	if status, _ := e.doAuth("GET", "/api/v1/users", "", "ssws "+token); status != 200 {
		t.Errorf("lower-case scheme: %d", status)
	}
}

func TestLifecycleEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		activate   string
		ops        []string
		wantStatus int
		wantCode   string
		wantUser   string
	}{
		{"create active", "", nil, 200, "", "ACTIVE"},
		{"create staged", "false", nil, 200, "", "STAGED"},
		{"activate staged", "false", []string{"activate"}, 200, "", "ACTIVE"},
		{"activate active", "", []string{"activate"}, 403, "E0000016", "ACTIVE"},
		{"suspend", "", []string{"suspend"}, 200, "", "SUSPENDED"},
		{"suspend staged", "false", []string{"suspend"}, 400, "E0000001", "STAGED"},
		{"unsuspend", "", []string{"suspend", "unsuspend"}, 200, "", "ACTIVE"},
		{"deactivate", "", []string{"deactivate"}, 200, "", "DEPROVISIONED"},
		{"unknown op", "", []string{"explode"}, 404, "E0000007", "ACTIVE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			status, body := e.do("POST", "/api/v1/users?activate="+tc.activate,
				`{"profile":{"login":"a@acme.test","firstName":"A","lastName":"B"},"credentials":{"password":{"value":"pw"}}}`)
			if status != 200 {
				t.Fatalf("create: %d %s", status, body)
			}
			uid := id(t, body)
			for _, op := range tc.ops {
				status, body = e.do("POST", "/api/v1/users/"+uid+"/lifecycle/"+op, "")
			}
			if status != tc.wantStatus || errorCode(body) != tc.wantCode {
				t.Errorf("last response %d %s, want %d %q", status, body, tc.wantStatus, tc.wantCode)
			}
			if u, _ := e.dir.User(uid); u.Status != tc.wantUser {
				t.Errorf("status = %s, want %s", u.Status, tc.wantUser)
			}
		})
	}
}

func TestDeleteUserTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _ := e.dir.CreateUser(directory.UserInput{Login: "a@acme.test"})
	for i, want := range []string{directory.StatusDeactivated, ""} {
		if status, body := e.do("DELETE", "/api/v1/users/"+u.ID, ""); status != 204 {
			t.Fatalf("delete %d: %d %s", i, status, body)
		}
		got, _ := e.dir.User(u.ID)
		if got.Status != want {
			t.Errorf("after delete %d: status %q, want %q", i, got.Status, want)
		}
	}
	if status, body := e.do("GET", "/api/v1/users/"+u.ID, ""); status != 404 || errorCode(body) != "E0000007" {
		t.Errorf("get deleted user: %d %s", status, body)
	}
}

func TestListUsersFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, l := range []string{"alice@acme.test", "bob@acme.test", "albert@other.test"} {
		if _, err := e.dir.CreateUser(directory.UserInput{Login: l}); err != nil {
			t.Fatal(err)
		}
	}
	bob, _ := e.dir.UserByLogin("bob@acme.test")
	if err := e.dir.Deactivate(bob.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, want string }{
		{"", "alice@acme.test albert@other.test"},
		{"?q=al", "alice@acme.test albert@other.test"},
		{"?q=bob", ""},
		{`?filter=status+eq+"DEPROVISIONED"`, "bob@acme.test"},
		{`?search=profile.login+sw+"al"+and+status+eq+"ACTIVE"`, "alice@acme.test albert@other.test"},
		{`?filter=profile.login+eq+"alice@acme.test"+or+profile.login+eq+"bob@acme.test"`, "alice@acme.test bob@acme.test"},
		{"?limit=1", "alice@acme.test"},
	}
	for _, tc := range tests {
		status, body := e.do("GET", "/api/v1/users"+tc.query, "")
		var users []struct{ Profile struct{ Login string } }
		if err := json.Unmarshal(body, &users); status != 200 || err != nil {
			t.Fatalf("%s: %d %s", tc.query, status, body)
		}
		var logins []string
		for _, u := range users {
			logins = append(logins, u.Profile.Login)
		}
		if got := strings.Join(logins, " "); got != tc.want {
			t.Errorf("users%s = %q, want %q", tc.query, got, tc.want)
		}
	}
	if status, body := e.do("GET", `/api/v1/users?filter=nonsense`, ""); status != 400 || errorCode(body) != "E0000001" {
		t.Errorf("bad filter: %d %s", status, body)
	}
}

// TestGolden pins the JSON shapes of the main resources, errors and System Log events, with ids, secrets
// and times injected or masked. The shapes follow Okta's management API reference
// (developer.okta.com/docs/api/openapi/okta-management/management/tag/): User and UserGroups for users,
// Group (OKTA_GROUP and the BUILT_IN Everyone) for groups, Application, ApplicationUsers and
// ApplicationGroups for apps (the OIDC "oidc_client" and the SAML 2.0 custom app objects), SystemLog for
// LogEvent, and the error object (errorCode, errorSummary, errorLink, errorId, errorCauses).
func TestGolden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	oidc, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp",
		RedirectURIs: []string{"http://localhost:8081/sso/oidc/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	saml, err := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "refapp SAML", Settings: directory.SAMLSettings{
		SSOURL: "http://localhost:8081/sso/saml/acs", Audience: "http://localhost:8081/sso/saml/metadata",
		Attributes:     []directory.SAMLAttribute{{Name: "email", NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", Value: "email"}},
		GroupAttribute: &directory.SAMLGroupAttribute{Name: "groups", Filter: "REGEX", Value: ".*"}}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	step := func(method, path, body string) []byte {
		status, resp := e.do(method, path, body)
		fmt.Fprintf(&out, "### %s %s -> %d\n", method, path, status)
		if len(resp) > 0 {
			var v any
			if err := json.Unmarshal(resp, &v); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, resp)
			}
			b, _ := json.MarshalIndent(v, "", "  ")
			out.Write(b)
			out.WriteString("\n")
		}
		return resp
	}
	uid := id(t, step("POST", "/api/v1/users?activate=true",
		`{"profile":{"login":"alice@acme.test","email":"alice@acme.test","firstName":"Alice","lastName":"Anderson"},
		  "credentials":{"password":{"value":"Alice-Passw0rd"}}}`))
	step("POST", "/api/v1/users", `{"profile":{"login":"ALICE@acme.test"}}`)
	step("POST", "/api/v1/users", `{"profile":{}}`)
	step("POST", "/api/v1/users", `{"profile":`)
	gid := id(t, step("POST", "/api/v1/groups", `{"profile":{"name":"Engineering","description":"Builders"}}`))
	step("PUT", "/api/v1/groups/"+gid+"/users/"+uid, "")
	step("GET", "/api/v1/groups/"+gid+"/users", "")
	step("GET", "/api/v1/groups", "")
	step("GET", "/api/v1/users/"+uid+"/groups", "")
	step("GET", "/api/v1/apps", "")
	step("POST", "/api/v1/apps/"+oidc.ID+"/users", `{"id":"`+uid+`","scope":"USER"}`)
	step("PUT", "/api/v1/apps/"+saml.ID+"/groups/"+gid, "")
	step("GET", "/api/v1/apps/"+saml.ID+"/users", "")
	step("GET", "/api/v1/apps/"+saml.ID+"/groups", "")
	step("DELETE", "/api/v1/apps/"+saml.ID+"/users/"+uid, "")
	step("POST", "/api/v1/users/"+uid+"/lifecycle/deactivate", "")
	step("GET", "/api/v1/users/"+uid, "")
	step("GET", "/api/v1/users/00unknown", "")
	step("GET", "/api/v1/logs?limit=3", "")
	golden(t, "api.golden.txt", normalise(out.Bytes()))
}

var (
	idRE     = regexp.MustCompile(`\b(00u|00g|0oa|exk|00o|aln)[0-9A-Za-z]{17}\b`)
	secretRE = regexp.MustCompile(`"(client_secret|errorId)": "[^"]*"`)
	// System Log event uuids must be RFC 4122 UUIDs, and transaction ids request ids (27 characters of
	// URL-safe base64): the golden file shows the shape, not the value.
	uuidRE  = regexp.MustCompile(`"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"`)
	reqIDRE = regexp.MustCompile(`"[A-Za-z0-9_-]{27}"`)
	agentRE = regexp.MustCompile(`"Go-http-client/[0-9.]+"`)
	hostRE  = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
)

// normalise replaces generated ids, secrets and the listener address with stable placeholders.
func normalise(b []byte) []byte {
	seen := map[string]string{}
	b = idRE.ReplaceAllFunc(b, func(m []byte) []byte {
		if r, ok := seen[string(m)]; ok {
			return []byte(r)
		}
		r := fmt.Sprintf("%s-%d", m[:3], len(seen)+1)
		seen[string(m)] = r
		return []byte(r)
	})
	b = secretRE.ReplaceAllFunc(b, func(m []byte) []byte {
		k, _, _ := strings.Cut(string(m), ": ")
		return []byte(k + `: "<random>"`)
	})
	b = uuidRE.ReplaceAll(b, []byte(`"<uuid>"`))
	b = reqIDRE.ReplaceAll(b, []byte(`"<request-id>"`))
	b = agentRE.ReplaceAll(b, []byte(`"<Go user agent>"`))
	return hostRE.ReplaceAll(b, []byte("http://mock.test"))
}

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
