package refapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// scimDo sends one SCIM request to the stack's app and decodes the answer.
func (s *stack) scimDo(t *testing.T, key, method, path string, body any, want int) map[string]any {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, s.app.URL+"/scim/v2"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d; body %v", method, path, resp.StatusCode, want, out)
	}
	return out
}

// ssoSignIn signs email in through the SSO path and returns the callback's status.
func (s *stack) ssoSignIn(t *testing.T, c *http.Client, email string) int {
	t.Helper()
	q := s.startSSO(t, c)
	code := s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "email": email, "name": "From Token"})
	resp, _ := s.callback(t, c, url.Values{"code": {code}, "state": {q.Get("state")}})
	return resp.StatusCode
}

func setActive(active bool) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": active}}}}
}

func scimUser(email, given string) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": email,
		"name":   map[string]any{"givenName": given, "familyName": "Test"},
		"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}}, "password": "pLaCeHoLdEr1!", "active": true}
}

// TestProvisionedUserLifecycle: a pushed user signs in by SSO at once with the
// default role; deactivation revokes sessions and refuses SSO and password
// sign-in; reactivation restores the same account; groups show as teams.
func TestProvisionedUserLifecycle(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	key, err := s.adm.CreateAPIKey(ctx, "acme", []string{"scim"})
	if err != nil {
		t.Fatal(err)
	}
	ada := s.scimDo(t, key, "POST", "/Users", scimUser("ada@acme.test", "Ada"), 201)
	adaPath := "/Users/" + ada["id"].(string)
	boss := s.scimDo(t, key, "POST", "/Users", scimUser("boss@acme.test", "Boss"), 201) // links the admin

	c := browser(t)
	if st := s.ssoSignIn(t, c, "ADA@acme.test"); st != http.StatusSeeOther {
		t.Fatalf("SSO sign-in of the pushed user = %d, want 303", st)
	}
	if status, me := s.me(t, c); status != 200 || me["role"] != "viewer" || me["name"] != "Ada Test" {
		t.Errorf("/api/v1/me = %d %v; want the pushed member with the default role", status, me)
	}
	pw := browser(t)
	login := func() int {
		resp, err := pw.PostForm(s.app.URL+"/login", url.Values{"email": {"boss@acme.test"}, "password": {"correct horse"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := login(); st != http.StatusSeeOther {
		t.Fatalf("password sign-in of the linked admin = %d", st)
	}

	s.scimDo(t, key, "PATCH", adaPath, setActive(false), 200)
	s.scimDo(t, key, "PATCH", "/Users/"+boss["id"].(string), setActive(false), 200)
	if status, _ := s.me(t, c); status != http.StatusUnauthorized {
		t.Errorf("deactivated member's SSO session: /api/v1/me = %d, want 401", status)
	}
	if status, _ := s.me(t, pw); status != http.StatusUnauthorized {
		t.Errorf("deactivated member's password session: /api/v1/me = %d, want 401", status)
	}
	if st := s.ssoSignIn(t, browser(t), "ada@acme.test"); st != http.StatusForbidden {
		t.Errorf("SSO sign-in while deactivated = %d, want 403", st)
	}
	if st := login(); st != http.StatusUnauthorized {
		t.Errorf("password sign-in while deactivated = %d, want 401", st)
	}
	if got := s.scimDo(t, key, "GET", adaPath, nil, 200); got["active"] != false {
		t.Errorf("deactivated user: %v", got)
	}

	if got := s.scimDo(t, key, "PATCH", adaPath, setActive(true), 200); got["id"] != ada["id"] || got["active"] != true {
		t.Errorf("reactivated user: %v", got)
	}
	s.scimDo(t, key, "PATCH", "/Users/"+boss["id"].(string), setActive(true), 200)
	c = browser(t)
	if st := s.ssoSignIn(t, c, "ada@acme.test"); st != http.StatusSeeOther {
		t.Fatalf("SSO sign-in after reactivation = %d", st)
	}
	s.scimDo(t, key, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Research <Lab>", "members": []any{map[string]any{"value": ada["id"]}}}, 201)
	if _, home := get(t, c, s.app.URL+"/"); strings.Contains(home, `id="teams"`) {
		t.Error("a viewer sees the Teams list")
	}
	if st := login(); st != http.StatusSeeOther {
		t.Fatalf("password sign-in after reactivation = %d", st)
	}
	_, home := get(t, pw, s.app.URL+"/")
	for _, frag := range []string{`<section id="teams">`, `<span class="team-name">Research &lt;Lab&gt;</span>`, `<span class="team-size">1</span>`} {
		if !strings.Contains(home, frag) {
			t.Errorf("admin home page lacks %q", frag)
		}
	}
}
