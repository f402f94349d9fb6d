package scimserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

var now = time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)

// env is a SCIM server on a loopback test server with several organizations:
// acme and globex (ready for SCIM), cheap (free plan), nosync (SSO without
// sync), nosso (no SSO), and their keys.
type env struct {
	srv  *httptest.Server
	st   *sqlstore.Store
	keys map[string]string
}

func newEnv(t *testing.T, cfg scimserver.Config) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, keys: map[string]string{}}
	orgs := []struct {
		id         string
		plan       store.Plan
		sso, sync  bool
		memberRole store.Role
	}{
		{"acme", store.PlanPro, true, true, store.RoleMember},
		{"globex", store.PlanEnterprise, true, true, store.RoleViewer},
		{"cheap", store.PlanFree, true, true, store.RoleMember},
		{"nosync", store.PlanPro, true, false, store.RoleMember},
		{"nosso", store.PlanPro, false, false, store.RoleMember},
	}
	for _, o := range orgs {
		if err := st.CreateOrg(ctx, store.Org{ID: o.id, Name: o.id, Plan: o.plan, CreatedAt: now}); err != nil {
			t.Fatalf("CreateOrg: %v", err)
		}
		if o.sso {
			if err := st.PutSSOConnection(ctx, store.SSOConnection{OrgID: o.id, Protocol: "oidc", MetadataURL: "https://idp/x",
				Issuer: "https://idp", ClientID: "c", ClientSecret: "s", DefaultRole: o.memberRole, SyncEnabled: o.sync,
				UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		e.keys[o.id] = e.newKey(t, o.id, "", "scim")
	}
	e.keys["acme-ro"] = e.newKey(t, "acme", "", "org:read")
	for _, m := range []store.Member{
		{ID: "m-admin", OrgID: "acme", Email: "boss@acme.test", Role: store.RoleAdmin, PasswordHash: "h", Active: true, CreatedAt: now, UpdatedAt: now},
		{ID: "m-viewer", OrgID: "acme", Email: "viewer@acme.test", Role: store.RoleViewer, Active: true, CreatedAt: now, UpdatedAt: now},
		{ID: "m-gone", OrgID: "acme", Email: "gone@acme.test", Role: store.RoleAdmin, Active: false, CreatedAt: now, UpdatedAt: now},
	} {
		if err := st.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	e.keys["acme-admin"] = e.newKey(t, "acme", "m-admin", "scim")
	e.keys["acme-viewer"] = e.newKey(t, "acme", "m-viewer", "scim")
	e.keys["acme-gone"] = e.newKey(t, "acme", "m-gone", "scim")
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	cfg.Store, cfg.BaseURL = st, e.srv.URL
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	s, err := scimserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Mount(mux)
	return e
}

func (e *env) newKey(t *testing.T, org, owner string, scopes ...string) string {
	t.Helper()
	key, rec, err := auth.NewAPIKey(rand.Reader, org, scopes, now)
	if err != nil {
		t.Fatal(err)
	}
	rec.OwnerID = owner
	if err := e.st.CreateAPIKey(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return key
}

const scimJSON = "application/scim+json; charset=utf-8"

// do sends a request with Okta's headers; body may be a string or a value to encode.
func (e *env) do(t *testing.T, method, path, key, ctype string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		return resp.StatusCode, resp.Header, nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, raw, err)
	}
	return resp.StatusCode, resp.Header, out
}

// must sends a request that must answer want, and returns the body.
func (e *env) must(t *testing.T, want int, method, path, key string, body any) map[string]any {
	t.Helper()
	ctype := ""
	if body != nil {
		ctype = scimJSON
	}
	status, _, out := e.do(t, method, path, key, ctype, body)
	if status != want {
		t.Fatalf("%s %s = %d, want %d; body %v", method, path, status, want, out)
	}
	return out
}

// oktaUser is shaped like Okta's POST /Users body (placeholder password, groups, locale, extension).
func oktaUser(userName, email string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"userName": userName, "name": map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"displayName": "Ada Lovelace", "locale": "en-US", "externalId": "00u1abcdefghijklmnop", "groups": []any{},
		"password": "pLaCeHoLdEr1!", "active": true, "title": "Countess",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Maths"},
	}
}

func filterPath(resource, f string) string {
	return "/scim/v2/" + resource + "?filter=" + url.QueryEscape(f) + "&startIndex=1&count=100"
}

func ids(t *testing.T, list map[string]any) []string {
	t.Helper()
	var out []string
	rs, _ := list["Resources"].([]any)
	for _, r := range rs {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

func TestCreateGetFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	status, hdr, body := e.do(t, "POST", "/scim/v2/Users", e.keys["acme"], scimJSON, oktaUser("Ada.Lovelace@Example.com", "ada@example.com"))
	if status != http.StatusCreated {
		t.Fatalf("POST /Users status %d, body %v", status, body)
	}
	id, _ := body["id"].(string)
	loc := e.srv.URL + "/scim/v2/Users/" + id
	want := map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":          id,
		"externalId":  "00u1abcdefghijklmnop",
		"userName":    "Ada.Lovelace@Example.com",
		"name":        map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"displayName": "Ada Lovelace",
		"emails":      []any{map[string]any{"value": "ada@example.com", "type": "work", "primary": true}},
		"active":      true,
		"meta": map[string]any{"resourceType": "User", "created": "2025-05-06T07:08:09Z",
			"lastModified": "2025-05-06T07:08:09Z", "location": loc},
	}
	if diff := cmp.Diff(want, body); diff != "" || id == "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	if hdr.Get("Location") != loc || !strings.HasPrefix(hdr.Get("Content-Type"), "application/scim+json") {
		t.Errorf("headers Location %q Content-Type %q", hdr.Get("Location"), hdr.Get("Content-Type"))
	}
	m, err := e.st.MemberByEmail(context.Background(), "acme", "ADA@example.com")
	if err != nil || m.Role != store.RoleMember || m.DisplayName != "Ada Lovelace" || !m.Active {
		t.Errorf("member = %+v, %v; want an active member with the default role", m, err)
	}
	if got := e.must(t, 200, "GET", "/scim/v2/Users/"+id, e.keys["acme"], nil); cmp.Diff(want, got) != "" {
		t.Errorf("GET /Users/{id} (-want +got):\n%s", cmp.Diff(want, got))
	}
	list := e.must(t, 200, "GET", filterPath("Users", `userName eq "ADA.LOVELACE@example.com"`), e.keys["acme"], nil)
	wantList := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": 1.0, "startIndex": 1.0, "itemsPerPage": 1.0, "Resources": []any{want}}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	list = e.must(t, 200, "GET", filterPath("Users", `userName eq "nobody@example.com"`), e.keys["acme"], nil)
	wantEmpty := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": 0.0, "startIndex": 1.0, "itemsPerPage": 0.0, "Resources": []any{}}
	if diff := cmp.Diff(wantEmpty, list); diff != "" {
		t.Errorf("empty filter (-want +got):\n%s", diff)
	}
}

func TestCreateAcceptsJSONAndLinksExistingMember(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"boss@acme.test",
		"name":{"givenName":"Big","familyName":"Boss"},"password":"x"}`
	status, _, got := e.do(t, "POST", "/scim/v2/Users", e.keys["acme"], "application/json; charset=utf-8", body)
	if status != http.StatusCreated || got["id"] != "m-admin" || got["displayName"] != "Big Boss" {
		t.Fatalf("POST linking existing member = %d %v; want 201, id m-admin, displayName Big Boss", status, got)
	}
	if _, ok := got["password"]; ok {
		t.Error("password returned")
	}
	m, err := e.st.MemberByID(context.Background(), "acme", "m-admin")
	if err != nil || m.Role != store.RoleAdmin || m.PasswordHash != "h" || m.SCIMUserName != "boss@acme.test" {
		t.Errorf("linked member = %+v, %v; want role and password kept, userName set", m, err)
	}
}

func TestEmails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	u := oktaUser("multi", "")
	u["emails"] = []any{map[string]any{"value": "home@x.test", "type": "home"}, map[string]any{"value": "work@x.test", "type": "work"}}
	got := e.must(t, 201, "POST", "/scim/v2/Users", e.keys["acme"], u)
	want := []any{map[string]any{"value": "home@x.test", "type": "home", "primary": true},
		map[string]any{"value": "work@x.test", "type": "work", "primary": false}}
	if diff := cmp.Diff(want, got["emails"]); diff != "" {
		t.Errorf("emails without a primary: the first becomes primary (-want +got):\n%s", diff)
	}
	u = oktaUser("noemail", "")
	delete(u, "emails")
	got = e.must(t, 201, "POST", "/scim/v2/Users", e.keys["acme"], u)
	if _, ok := got["emails"]; ok {
		t.Errorf("user created without emails shows emails %v", got["emails"])
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	var created []string
	for i := range 5 {
		u := e.must(t, 201, "POST", "/scim/v2/Users", e.keys["acme"], oktaUser(fmt.Sprintf("u%d@acme.test", i), fmt.Sprintf("u%d@acme.test", i)))
		created = append(created, u["id"].(string))
	}
	tests := []struct {
		query      string
		start, per int
		want       []string
	}{
		{"startIndex=1&count=2", 1, 2, created[:2]},
		{"startIndex=3&count=2", 3, 2, created[2:4]},
		{"startIndex=5&count=100", 5, 1, created[4:]},
		{"startIndex=6&count=100", 6, 0, nil},
		{"startIndex=0&count=1", 1, 1, created[:1]},
		{"count=0", 1, 0, nil},
		{"count=-3", 1, 0, nil},
		{"", 1, 5, created},
	}
	for _, tt := range tests {
		list := e.must(t, 200, "GET", "/scim/v2/Users?"+tt.query, e.keys["acme"], nil)
		if list["totalResults"] != 5.0 || list["startIndex"] != float64(tt.start) || list["itemsPerPage"] != float64(tt.per) {
			t.Errorf("%s: total %v start %v per %v; want 5 %d %d", tt.query, list["totalResults"], list["startIndex"], list["itemsPerPage"], tt.start, tt.per)
		}
		if diff := cmp.Diff(tt.want, ids(t, list)); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestConcurrentCreateSameUserName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	statuses := make([]int, 20)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			userName := "race@acme.test"
			if i%2 == 1 {
				userName = "RACE@acme.test"
			}
			statuses[i], _, _ = e.do(t, "POST", "/scim/v2/Users", e.keys["acme"], scimJSON, oktaUser(userName, "race@acme.test"))
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if diff := cmp.Diff(map[int]int{201: 1, 409: 19}, count); diff != "" {
		t.Errorf("statuses of 20 parallel creates (-want +got):\n%s", diff)
	}
	list := e.must(t, 200, "GET", filterPath("Users", `userName eq "race@acme.test"`), e.keys["acme"], nil)
	if list["totalResults"] != 1.0 {
		t.Errorf("filter after the race found %v users, want 1", list["totalResults"])
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	a := e.must(t, 201, "POST", "/scim/v2/Users", e.keys["acme"], oktaUser("same@x.test", "same@x.test"))
	b := e.must(t, 201, "POST", "/scim/v2/Users", e.keys["globex"], oktaUser("same@x.test", "same@x.test"))
	if b["id"] == a["id"] {
		t.Fatal("two orgs share a user id")
	}
	g := e.must(t, 201, "POST", "/scim/v2/Groups", e.keys["globex"], map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "B team"})
	bid, gid := b["id"].(string), g["id"].(string)
	patch := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}}
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/scim/v2/Users/" + bid, nil},
		{"PUT", "/scim/v2/Users/" + bid, oktaUser("stolen", "stolen@x.test")},
		{"PATCH", "/scim/v2/Users/" + bid, patch},
		{"DELETE", "/scim/v2/Users/" + bid, nil},
		{"GET", "/scim/v2/Groups/" + gid, nil},
		{"PUT", "/scim/v2/Groups/" + gid, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "x"}},
		{"DELETE", "/scim/v2/Groups/" + gid, nil},
	} {
		e.must(t, 404, req.method, req.path, e.keys["acme"], req.body)
	}
	aid := []string{a["id"].(string)}
	for f, want := range map[string][]string{`id eq "` + bid + `"`: nil, `userName eq "same@x.test"`: aid,
		`userName pr`: aid, `externalId pr`: aid, `emails.value co "same"`: aid} {
		if got := ids(t, e.must(t, 200, "GET", filterPath("Users", f), e.keys["acme"], nil)); cmp.Diff(want, got) != "" {
			t.Errorf("acme filter %s = %v, want %v", f, got, want)
		}
	}
	if got := e.must(t, 200, "GET", filterPath("Groups", `displayName eq "B team"`), e.keys["acme"], nil); got["totalResults"] != 0.0 {
		t.Errorf("acme sees globex's group: %v", got)
	}
	ag := e.must(t, 201, "POST", "/scim/v2/Groups", e.keys["acme"], map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "B team"})
	status, _, body := e.do(t, "PATCH", "/scim/v2/Groups/"+ag["id"].(string), e.keys["acme"], scimJSON, map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": bid}}}}})
	if status != 400 || body["scimType"] != "invalidValue" {
		t.Errorf("adding another org's user to a group = %d %v, want 400 invalidValue", status, body)
	}
	if got := e.must(t, 200, "GET", "/scim/v2/Users/"+bid, e.keys["globex"], nil); got["active"] != true || got["userName"] != "same@x.test" {
		t.Errorf("globex's user changed: %v", got)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{RateLimit: 0.5, RateBurst: 2})
	for range 2 {
		e.must(t, 200, "GET", "/scim/v2/Users?count=1", e.keys["acme"], nil)
	}
	status, hdr, body := e.do(t, "GET", "/scim/v2/Users?count=1", e.keys["acme"], "", nil)
	if status != 429 || hdr.Get("Retry-After") != "2" || body["status"] != "429" {
		t.Errorf("third request = %d, Retry-After %q, body %v; want 429, Retry-After 2", status, hdr.Get("Retry-After"), body)
	}
	if _, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil {
		t.Errorf("Retry-After %q is not an integer", hdr.Get("Retry-After"))
	}
	e.must(t, 200, "GET", "/scim/v2/Users?count=1", e.keys["globex"], nil) // other keys have their own budget
}
