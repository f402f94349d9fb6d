package scimserver_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

var now = time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)

type env struct {
	srv                        *httptest.Server
	st                         store.Store
	key, otherKey, freeKey, ro string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st}
	mk := func(id string, plan store.Plan, scopes ...string) string {
		if _, err := st.OrgByID(ctx, id); err != nil {
			if err := st.CreateOrg(ctx, store.Org{ID: id, Name: id, Plan: plan, CreatedAt: now}); err != nil {
				t.Fatalf("CreateOrg: %v", err)
			}
		}
		key, rec, err := auth.NewAPIKey(rand.Reader, id, scopes, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAPIKey(ctx, rec); err != nil {
			t.Fatal(err)
		}
		return key
	}
	e.key = mk("acme", store.PlanPro, "scim")
	e.ro = mk("acme", store.PlanPro, "org:read")
	e.otherKey = mk("globex", store.PlanEnterprise, "scim")
	e.freeKey = mk("cheap", store.PlanFree, "scim")
	e.srv = httptest.NewServer(nil)
	t.Cleanup(e.srv.Close)
	s, err := scimserver.New(scimserver.Config{Store: st, BaseURL: e.srv.URL, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	e.srv.Config.Handler = mux
	return e
}

func (e *env) do(t *testing.T, method, path, key, contentType, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	return resp.StatusCode, resp.Header, out
}

const scimJSON = "application/scim+json; charset=utf-8"

// oktaUser is shaped like Okta's POST /Users body (placeholder password, groups, locale, extension).
func oktaUser(userName, email string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `",
	"name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"` + email + `","type":"work"}],
	"displayName":"Ada Lovelace","locale":"en-US","externalId":"00u1abcdefghijklmnop","groups":[],
	"password":"pLaCeHoLdEr1!","active":true,"title":"Countess"}`
}

func filterPath(f string) string {
	return "/scim/v2/Users?filter=" + url.QueryEscape(f) + "&startIndex=1&count=100"
}

func TestCreateGetFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, hdr, body := e.do(t, "POST", "/scim/v2/Users", e.key, scimJSON, oktaUser("Ada.Lovelace@Example.com", "ada@example.com"))
	if status != http.StatusCreated {
		t.Fatalf("POST /Users status %d, body %v", status, body)
	}
	id, _ := body["id"].(string)
	if id == "" {
		t.Fatalf("created user has no id: %v", body)
	}
	loc := e.srv.URL + "/scim/v2/Users/" + id
	want := map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":          id,
		"externalId":  "00u1abcdefghijklmnop",
		"userName":    "Ada.Lovelace@Example.com",
		"name":        map[string]any{"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
		"displayName": "Ada Lovelace",
		"emails":      []any{map[string]any{"value": "ada@example.com", "type": "work", "primary": true}},
		"active":      true,
		"meta": map[string]any{"resourceType": "User", "created": "2025-05-06T07:08:09Z",
			"lastModified": "2025-05-06T07:08:09Z", "location": loc},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	if hdr.Get("Location") != loc || !strings.HasPrefix(hdr.Get("Content-Type"), "application/scim+json") {
		t.Errorf("headers Location %q Content-Type %q", hdr.Get("Location"), hdr.Get("Content-Type"))
	}
	m, err := e.st.MemberByEmail(context.Background(), "acme", "ADA@example.com")
	if err != nil || m.Role != store.RoleMember || m.DisplayName != "Ada Lovelace" {
		t.Errorf("member = %+v, %v; want role member, name Ada Lovelace", m, err)
	}

	status, _, got := e.do(t, "GET", "/scim/v2/Users/"+id, e.key, "", "")
	if status != http.StatusOK || cmp.Diff(want, got) != "" {
		t.Errorf("GET /Users/{id} = %d, diff (-want +got):\n%s", status, cmp.Diff(want, got))
	}

	status, _, list := e.do(t, "GET", filterPath(`userName eq "ada.lovelace@example.com"`), e.key, "", "")
	wantList := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": 1.0, "startIndex": 1.0, "itemsPerPage": 1.0, "Resources": []any{want}}
	if status != http.StatusOK || cmp.Diff(wantList, list) != "" {
		t.Errorf("filter = %d, diff (-want +got):\n%s", status, cmp.Diff(wantList, list))
	}
	status, _, list = e.do(t, "GET", filterPath(`userName eq "nobody@example.com"`), e.key, "", "")
	wantEmpty := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": 0.0, "startIndex": 1.0, "itemsPerPage": 0.0, "Resources": []any{}}
	if status != http.StatusOK || cmp.Diff(wantEmpty, list) != "" {
		t.Errorf("empty filter = %d, diff (-want +got):\n%s", status, cmp.Diff(wantEmpty, list))
	}
	status, _, list = e.do(t, "GET", "/scim/v2/Users?startIndex=1&count=2", e.key, "", "")
	if status != http.StatusOK || list["totalResults"] != 1.0 || list["itemsPerPage"] != 1.0 {
		t.Errorf("list = %d %v", status, list)
	}
	status, _, _ = e.do(t, "GET", "/scim/v2/Users/"+id, e.otherKey, "", "")
	if status != http.StatusNotFound {
		t.Errorf("GET user of another org: status %d, want 404", status)
	}
	status, _, list = e.do(t, "GET", filterPath(`userName eq "ada.lovelace@example.com"`), e.otherKey, "", "")
	if status != http.StatusOK || list["totalResults"] != 0.0 {
		t.Errorf("filter from another org = %d %v, want no results", status, list)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if status, _, body := e.do(t, "POST", "/scim/v2/Users", e.key, scimJSON, oktaUser("dup@example.com", "dup@example.com")); status != http.StatusCreated {
		t.Fatalf("first POST: %d %v", status, body)
	}
	tests := []struct {
		name, method, path, key, ctype, body string
		status                               int
		scimType                             string
	}{
		{"409 on userName in other case", "POST", "/scim/v2/Users", e.key, scimJSON, oktaUser("DUP@example.com", "x@example.com"), 409, "uniqueness"},
		{"409 on email of another SCIM user", "POST", "/scim/v2/Users", e.key, scimJSON, oktaUser("other", "Dup@example.com"), 409, "uniqueness"},
		{"missing key", "GET", "/scim/v2/Users", "", "", "", 401, ""},
		{"unknown key", "GET", "/scim/v2/Users", "rk_" + strings.Repeat("A", 43), "", "", 401, ""},
		{"key without scim scope", "GET", "/scim/v2/Users", e.ro, "", "", 401, ""},
		{"free plan", "GET", "/scim/v2/Users", e.freeKey, "", "", 403, ""},
		{"invalid filter syntax", "GET", filterPath(`userName eq`), e.key, "", "", 400, "invalidFilter"},
		{"unsupported filter attribute", "GET", filterPath(`emails.value eq "a@b.c"`), e.key, "", "", 400, "invalidFilter"},
		{"unsupported operator", "GET", filterPath(`userName sw "a"`), e.key, "", "", 400, "invalidFilter"},
		{"logical filter", "GET", filterPath(`userName eq "a" or userName eq "b"`), e.key, "", "", 400, "invalidFilter"},
		{"text/plain body", "POST", "/scim/v2/Users", e.key, "text/plain", oktaUser("p@example.com", "p@example.com"), 415, ""},
		{"bad JSON", "POST", "/scim/v2/Users", e.key, scimJSON, `{"userName":`, 400, "invalidSyntax"},
		{"no userName", "POST", "/scim/v2/Users", e.key, scimJSON, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, 400, "invalidValue"},
		{"no schemas", "POST", "/scim/v2/Users", e.key, scimJSON, `{"userName":"n@example.com"}`, 400, "invalidSyntax"},
		{"unknown user", "GET", "/scim/v2/Users/nope", e.key, "", "", 404, ""},
		{"bad startIndex", "GET", "/scim/v2/Users?startIndex=x", e.key, "", "", 400, "invalidValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hdr, body := e.do(t, tt.method, tt.path, tt.key, tt.ctype, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %v", status, tt.status, body)
			}
			wantSchemas := []any{"urn:ietf:params:scim:api:messages:2.0:Error"}
			if diff := cmp.Diff(wantSchemas, body["schemas"]); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
			if body["status"] != strconv.Itoa(tt.status) {
				t.Errorf("status field %#v, want the string %q", body["status"], strconv.Itoa(tt.status))
			}
			if got, _ := body["scimType"].(string); got != tt.scimType {
				t.Errorf("scimType %q, want %q", got, tt.scimType)
			}
			if d, _ := body["detail"].(string); d == "" {
				t.Error("detail is empty")
			}
			if tt.status == 401 && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", hdr.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestCreateAcceptsJSONAndLinksExistingMember(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := store.Member{ID: "m-admin", OrgID: "acme", Email: "boss@example.com", Role: store.RoleAdmin,
		PasswordHash: "h", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := e.st.CreateMember(ctx, admin); err != nil {
		t.Fatal(err)
	}
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"boss@example.com",
		"name":{"givenName":"Big","familyName":"Boss"},"password":"x"}`
	status, _, got := e.do(t, "POST", "/scim/v2/Users", e.key, "application/json; charset=utf-8", body)
	if status != http.StatusCreated || got["id"] != "m-admin" || got["displayName"] != "Big Boss" {
		t.Fatalf("POST linking existing member = %d %v; want 201, id m-admin, displayName Big Boss", status, got)
	}
	if _, ok := got["password"]; ok {
		t.Error("password returned")
	}
	m, err := e.st.MemberByID(ctx, "acme", "m-admin")
	if err != nil || m.Role != store.RoleAdmin || m.PasswordHash != "h" || m.SCIMUserName != "boss@example.com" {
		t.Errorf("linked member = %+v, %v; want role and password kept, userName set", m, err)
	}
}
