package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func TestStateFileRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := t.Context()
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://mock.test", StateFile: path, SaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.LoadFile(filepath.Join("..", "fixtures", "orgs", "example.yaml")); err != nil {
		t.Fatal(err)
	}
	org, _ := idp.Org("acme")
	u, err := org.CreateUser(ctx, mockidp.UserInput{Login: "erin@acme.test", Password: "Erin-Passw0rd"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := org.CreateGroup(ctx, mockidp.GroupInput{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	app := org.Apps()[0]
	for _, step := range []error{
		org.AddGroupMember(ctx, g.ID, u.ID), org.AssignGroup(ctx, app.ID, g.ID), org.SuspendUser(ctx, u.ID),
	} {
		if step != nil && !strings.Contains(step.Error(), "push") { // the example's SCIM target is not running
			t.Fatal(step)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("state saved before the debounce delay")
	}
	if err := idp.Flush(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v", err, info)
	}

	again, err := mockidp.New(mockidp.Config{BaseURL: "http://mock.test"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := again.LoadState(ctx, path); !ok || err != nil {
		t.Fatalf("LoadState = %v, %v", ok, err)
	}
	org2, _ := again.Org("acme")
	if org2.ID() != org.ID() || org2.APIToken() != org.APIToken() || org2.ConsolePassword() != org.ConsolePassword() {
		t.Error("org id, API token or console password changed across the restart")
	}
	got, ok := org2.User(u.ID)
	if !ok || got.Status != mockidp.StatusSuspended {
		t.Errorf("erin after restart = %+v, %v", got, ok)
	}
	app2 := org2.Apps()[0]
	if app2.ClientSecret != app.ClientSecret || !org2.IsAssigned(app.ID, u.ID) {
		t.Errorf("app secret kept %v, erin assigned %v", app2.ClientSecret == app.ClientSecret, org2.IsAssigned(app.ID, u.ID))
	}
	if len(org2.Apps()) != 2 || org2.Apps()[1].SignOnMode != "SAML_2_0" {
		t.Errorf("apps after restart: %+v", org2.Apps())
	}
	if ok, err := again.LoadState(ctx, filepath.Join(t.TempDir(), "none.json")); ok || err != nil {
		t.Errorf("missing state file: %v, %v", ok, err)
	}
	var raw map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &raw); err != nil || raw["version"] != float64(1) {
		t.Errorf("state file is not version-1 JSON: %v", err)
	}
}

func TestStateSavedAfterChange(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://mock.test", StateFile: path, SaveDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	org, err := idp.CreateOrg(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateUser(t.Context(), mockidp.UserInput{Login: "a@acme.test"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), "a@acme.test") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the change was not saved")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHostBasedOrgs(t *testing.T) {
	t.Parallel()
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://127.0.0.1:8443", Domain: "okta.test"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := idp.CreateOrg(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if org.BaseURL() != "http://acme.okta.test:8443" {
		t.Errorf("BaseURL = %q", org.BaseURL())
	}
	tests := []struct {
		host, path string
		status     int
		issuer     string
	}{
		{"acme.okta.test:8443", "/.well-known/openid-configuration", 200, `"issuer":"http://acme.okta.test:8443"`},
		{"ACME.okta.test", "/.well-known/openid-configuration", 200, `"issuer":"http://acme.okta.test:8443"`},
		{"other.okta.test:8443", "/.well-known/openid-configuration", 404, ""},
		{"127.0.0.1:8443", "/acme/.well-known/openid-configuration", 200, `"issuer":"http://acme.okta.test:8443"`},
		{"x.acme.okta.test", "/.well-known/openid-configuration", 404, ""},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("GET", "http://"+tc.host+tc.path, nil)
		rec := httptest.NewRecorder()
		idp.ServeHTTP(rec, req)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.issuer) {
			t.Errorf("%s%s: %d %.100s", tc.host, tc.path, rec.Code, rec.Body.String())
		}
	}
	if _, err := mockidp.New(mockidp.Config{BaseURL: "http://x", Domain: "bad domain"}); err == nil {
		t.Error("invalid Domain accepted")
	}
}

func TestManagementAPIMounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		auth   string
		status int
	}{{"", 403}, {"SSWS wrong", 401}, {"SSWS " + e.org.APIToken(), 200}} {
		req, _ := http.NewRequest("GET", e.org.BaseURL()+"/api/v1/users?limit=1", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("auth %q: %d, want %d", tc.auth, resp.StatusCode, tc.status)
		}
		if len(resp.Header.Get("X-Okta-Request-Id")) != 27 {
			t.Errorf("auth %q: X-Okta-Request-Id %q", tc.auth, resp.Header.Get("X-Okta-Request-Id"))
		}
	}
	if !strings.HasPrefix(e.org.APIToken(), "00") || len(e.org.APIToken()) != 42 {
		t.Errorf("API token shape: %d chars", len(e.org.APIToken()))
	}
	if e.org.SystemLog() == nil || len(e.org.SystemLog().Events(syslog.Query{})) == 0 {
		t.Error("the org's System Log recorded nothing")
	}
}
