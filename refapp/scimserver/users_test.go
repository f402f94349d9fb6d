package scimserver_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/scimserver"
)

func TestUserFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	mk := func(userName, email, display, ext string) string {
		u := oktaUser(userName, email)
		u["displayName"], u["externalId"] = display, ext
		return e.must(t, 201, "POST", "/scim/v2/Users", key, u)["id"].(string)
	}
	a := mk("Ada@Acme.test", "ada@work.test", "Ada Lovelace", "00uA")
	b := mk("bob@acme.test", "bob@work.test", "Bob Builder", "00uB")
	c := mk(`c"quote+'@acme.test`, "c@home.test", "Carol", "00uC")
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada@acme.test"`, []string{a}},
		{`USERNAME EQ "ADA@ACME.TEST"`, []string{a}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@acme.test"`, []string{b}},
		{`userName eq "c\"quote+'@acme.test"`, []string{c}},
		{`id eq "` + b + `"`, []string{b}},
		{`externalId eq "00uC"`, []string{c}},
		{`externalId eq "00uc"`, nil},
		{`emails.value eq "BOB@work.test"`, []string{b}},
		{`emails eq "bob@work.test"`, []string{b}},
		{`emails[value eq "c@home.test"]`, []string{c}},
		{`emails[value eq "c@home.test" or value sw "ada"]`, []string{a, c}},
		{`displayName eq "carol"`, []string{c}},
		{`userName sw "B"`, []string{b}},
		{`userName co "acme"`, []string{a, b, c}},
		{`displayName co "l" and userName sw "a"`, []string{a}},
		{`displayName eq "Carol" or externalId eq "00uA"`, []string{a, c}},
		{`not (userName eq "bob@acme.test")`, []string{a, c}},
		{`externalId pr`, []string{a, b, c}},
		{`userName eq "x\" or \"1\"=\"1"`, nil},
		{`userName eq "' OR 1=1 --"`, nil},
		{`userName co "%"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			t.Parallel()
			list := e.must(t, 200, "GET", filterPath("Users", tt.filter), key, nil)
			if diff := cmp.Diff(tt.want, ids(t, list)); diff != "" || list["totalResults"] != float64(len(tt.want)) {
				t.Errorf("total %v; ids (-want +got):\n%s", list["totalResults"], diff)
			}
		})
	}
}

// TestPutUser follows Okta's profile push: GET, then PUT of the server's own
// representation with Okta's changes merged in (id, meta, groups included).
func TestPutUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("ada@acme.test", "ada@acme.test"))
	path := "/scim/v2/Users/" + u["id"].(string)
	body := e.must(t, 200, "GET", path, key, nil)
	body["name"].(map[string]any)["givenName"] = "Augusta"
	body["groups"] = []any{}
	body["password"] = "n3w-placeholder"
	body["id"] = "client-chosen-id"
	body["meta"].(map[string]any)["created"] = "1999-01-01T00:00:00Z"
	got := e.must(t, 200, "PUT", path, key, body)
	if got["id"] != u["id"] || got["name"].(map[string]any)["givenName"] != "Augusta" || got["meta"].(map[string]any)["created"] != "2025-05-06T07:08:09Z" {
		t.Errorf("PUT result %v: want givenName changed, id and meta.created kept", got)
	}
	if _, ok := got["password"]; ok {
		t.Error("password returned")
	}
	// userName may change; omitting active keeps it; omitted optional attributes are cleared.
	got = e.must(t, 200, "PUT", path, key, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "Ada.New@acme.test", "emails": []any{map[string]any{"value": "ada@acme.test", "primary": true}}})
	want := map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": u["id"],
		"userName": "Ada.New@acme.test", "emails": []any{map[string]any{"value": "ada@acme.test", "primary": true}},
		"active": true, "meta": got["meta"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("minimal PUT (-want +got):\n%s", diff)
	}
	if l := e.must(t, 200, "GET", filterPath("Users", `userName eq "ada.new@acme.test"`), key, nil); l["totalResults"] != 1.0 {
		t.Errorf("renamed user not found by its new userName: %v", l)
	}
}

func TestPatchUser(t *testing.T) {
	t.Parallel()
	replace := func(path string, v any) map[string]any {
		return map[string]any{"op": "replace", "path": path, "value": v}
	}
	tests := []struct {
		name  string
		ops   []map[string]any
		check map[string]any // attributes of the result; nil = absent
	}{
		{"Okta deactivation: path-less replace", []map[string]any{{"op": "replace", "value": map[string]any{"active": false}}},
			map[string]any{"active": false}},
		{"Entra: capitalised op and string boolean", []map[string]any{{"op": "Replace", "path": "active", "value": "False"}},
			map[string]any{"active": false}},
		{"Entra: True string in a path-less value", []map[string]any{{"op": "Replace", "value": map[string]any{"active": "True"}}},
			map[string]any{"active": true}},
		{"pathed replace", []map[string]any{replace("active", false)}, map[string]any{"active": false}},
		{"sub-attribute keeps its siblings", []map[string]any{replace("name.givenName", "Augusta")},
			map[string]any{"name": map[string]any{"givenName": "Augusta", "familyName": "Lovelace"}}},
		{"path-less complex value merges", []map[string]any{{"op": "replace", "value": map[string]any{"name": map[string]any{"GivenName": "Augusta"}}}},
			map[string]any{"name": map[string]any{"givenName": "Augusta", "familyName": "Lovelace"}}},
		{"Entra dotted keys and extension in a path-less value", []map[string]any{{"op": "replace", "value": map[string]any{
			"name.familyName": "King", "displayName": "Ada King",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Maths"}}},
			map[string]any{"displayName": "Ada King", "name": map[string]any{"givenName": "Ada", "familyName": "King"}}},
		{"value filter on emails", []map[string]any{replace(`emails[type eq "work"].value`, "ada@new.test")},
			map[string]any{"emails": []any{map[string]any{"value": "ada@new.test", "type": "work", "primary": true}}}},
		{"add creates the filtered value", []map[string]any{{"op": "Add", "path": `emails[type eq "home"].value`, "value": "ada@home.test"}},
			map[string]any{"emails": []any{map[string]any{"value": "ada@acme.test", "type": "work", "primary": true},
				map[string]any{"value": "ada@home.test", "type": "home", "primary": false}}}},
		{"remove an attribute", []map[string]any{{"op": "remove", "path": "externalId"}, {"op": "remove", "path": "name.familyName"}},
			map[string]any{"externalId": nil, "name": map[string]any{"givenName": "Ada"}}},
		{"ignored attributes: password, title, extension", []map[string]any{replace("password", "s3cret!"), replace("title", "Dr"),
			replace("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "x")},
			map[string]any{"active": true, "password": nil, "title": nil}},
		{"operations apply in order", []map[string]any{replace("active", false), replace("active", true), replace("displayName", "Countess")},
			map[string]any{"active": true, "displayName": "Countess"}},
		{"userName may change", []map[string]any{replace("userName", "Ada.Renamed@acme.test")}, map[string]any{"userName": "Ada.Renamed@acme.test"}},
	}
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("ada"+string(rune('a'+i))+"@acme.test", "ada@acme"+string(rune('a'+i))+".test"))
			path := "/scim/v2/Users/" + u["id"].(string)
			// The test's email is per user; rewrite the expectations' generic address.
			got := e.must(t, 200, "PATCH", path, key, patchBody(tt.ops...))
			again := e.must(t, 200, "GET", path, key, nil)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("PATCH response differs from a later GET (-patch +get):\n%s", diff)
			}
			if got["id"] != u["id"] {
				t.Errorf("id changed: %v -> %v", u["id"], got["id"])
			}
			for k, want := range tt.check {
				if k == "emails" {
					want = rewriteEmails(want, "ada@acme.test", "ada@acme"+string(rune('a'+i))+".test")
				}
				if diff := cmp.Diff(want, got[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func rewriteEmails(v any, from, to string) any {
	var out []any
	for _, e := range v.([]any) {
		m := map[string]any{}
		for k, x := range e.(map[string]any) {
			if x == from {
				x = to
			}
			m[k] = x
		}
		out = append(out, m)
	}
	return out
}

func TestPatchIsAtomic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("atomic@acme.test", "atomic@acme.test"))
	path := "/scim/v2/Users/" + u["id"].(string)
	e.must(t, 400, "PATCH", path, key, patchBody(
		map[string]any{"op": "replace", "path": "active", "value": false},
		map[string]any{"op": "replace", "path": "nope", "value": 1}))
	if got := e.must(t, 200, "GET", path, key, nil); got["active"] != true {
		t.Errorf("a failed PATCH applied its first operation: %v", got)
	}
}

// TestFlavourLifecycles replays both Okta flavours' user lifecycles.
func TestFlavourLifecycles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	setActive := map[string]func(t *testing.T, path string, active bool) map[string]any{
		"oin": func(t *testing.T, path string, active bool) map[string]any {
			return e.must(t, 200, "PATCH", path, key, patchBody(map[string]any{"op": "replace", "value": map[string]any{"active": active}}))
		},
		"aiw": func(t *testing.T, path string, active bool) map[string]any {
			body := e.must(t, 200, "GET", path, key, nil)
			body["active"] = active
			return e.must(t, 200, "PUT", path, key, body)
		},
	}
	for flavour, set := range setActive {
		t.Run(flavour, func(t *testing.T) {
			userName := flavour + "@acme.test"
			if l := e.must(t, 200, "GET", filterPath("Users", `userName eq "`+userName+`"`), key, nil); l["totalResults"] != 0.0 {
				t.Fatalf("lookup before create: %v", l)
			}
			u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser(userName, userName))
			path := "/scim/v2/Users/" + u["id"].(string)
			body := e.must(t, 200, "GET", path, key, nil)
			body["name"].(map[string]any)["givenName"] = "Changed"
			if got := e.must(t, 200, "PUT", path, key, body); got["name"].(map[string]any)["givenName"] != "Changed" || got["active"] != true {
				t.Errorf("profile PUT: %v", got)
			}
			if got := set(t, path, false); got["active"] != false {
				t.Errorf("deactivate: %v", got)
			}
			if got := e.must(t, 200, "GET", path, key, nil); got["active"] != false {
				t.Errorf("GET after deactivation: %v", got)
			}
			if l := e.must(t, 200, "GET", filterPath("Users", `userName eq "`+userName+`"`), key, nil); l["totalResults"] != 1.0 {
				t.Errorf("filter after deactivation: %v", l)
			}
			if got := set(t, path, true); got["active"] != true || got["id"] != u["id"] {
				t.Errorf("reactivate: %v", got)
			}
		})
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("del@acme.test", "del@acme.test"))
	path := "/scim/v2/Users/" + u["id"].(string)
	if got := e.must(t, 204, "DELETE", path, key, nil); got != nil {
		t.Errorf("DELETE body %v, want none", got)
	}
	e.must(t, 404, "GET", path, key, nil)
	e.must(t, 404, "DELETE", path, key, nil)
	if l := e.must(t, 200, "GET", filterPath("Users", `userName eq "del@acme.test"`), key, nil); l["totalResults"] != 0.0 {
		t.Errorf("deleted user still listed: %v", l)
	}
	e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("del@acme.test", "del@acme.test"))
}

// TestDisplayNameSanitized: the product's Known Issue, "#John Do`e¥" is shown as "John Doe", while the
// userName and the name sub-attributes come back exactly as pushed.
func TestDisplayNameSanitized(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	tests := []struct{ name, display, given, family, want string }{
		{"displayName sanitized", "#John Do`e¥", "#John", "Do`e¥", "John Doe"},
		{"falls back to a sanitized given and family name", "¥¥", "#Ann", "Lee!", "Ann Lee"},
		{"plain names untouched", "Zoë O'Brien-Smith", "Zoë", "O'Brien-Smith", "Zoë O'Brien-Smith"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			userName := fmt.Sprintf("#j%d`¥@acme.test", i)
			u := oktaUser(userName, fmt.Sprintf("j%d@acme.test", i))
			u["displayName"], u["name"] = tt.display, map[string]any{"givenName": tt.given, "familyName": tt.family}
			id := e.must(t, 201, "POST", "/scim/v2/Users", key, u)["id"].(string)
			got := e.must(t, 200, "GET", "/scim/v2/Users/"+id, key, nil)
			if got["displayName"] != tt.want || got["userName"] != userName {
				t.Errorf("displayName %q, userName %q; want %q, %q", got["displayName"], got["userName"], tt.want, userName)
			}
			n, _ := got["name"].(map[string]any)
			if n["givenName"] != tt.given || n["familyName"] != tt.family {
				t.Errorf("name = %v, want given %q family %q exactly", n, tt.given, tt.family)
			}
		})
	}
}
