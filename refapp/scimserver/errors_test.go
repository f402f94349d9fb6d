package scimserver_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/scimserver"
)

const patchURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

func patchBody(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, op := range ops {
		list[i] = op
	}
	return map[string]any{"schemas": []string{patchURN}, "Operations": list}
}

func TestAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	tests := []struct {
		name, key string
		status    int
	}{
		{"organization key", "acme", 200},
		{"personal key of an admin", "acme-admin", 200},
		{"personal key of a viewer", "acme-viewer", 403},
		{"personal key of a deactivated admin", "acme-gone", 401},
		{"key without the scim scope", "acme-ro", 403},
		{"free plan", "cheap", 403},
		{"sync off", "nosync", 403},
		{"no SSO", "nosso", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hdr, body := e.do(t, "GET", "/scim/v2/Users?startIndex=1&count=2", e.keys[tt.key], "", nil)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %v", status, tt.status, body)
			}
			if status == 401 && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer WWW-Authenticate challenge: %q", hdr.Get("WWW-Authenticate"))
			}
			if status != 200 && body["status"] != strconv.Itoa(status) {
				t.Errorf("error body %v", body)
			}
		})
	}
}

func TestErrorCatalogue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{MaxBodyBytes: 4096})
	key := e.keys["acme"]
	u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("dup@example.com", "dup@example.com"))
	uid := "/scim/v2/Users/" + u["id"].(string)
	e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("other@example.com", "other@example.com"))
	bigName := oktaUser("big@example.com", "big@example.com")
	bigName["displayName"] = strings.Repeat("x", 5000)
	typed := func(k string, v any) map[string]any {
		b := oktaUser("typed@example.com", "typed@example.com")
		b[k] = v
		return b
	}
	twoPrimaries := typed("emails", []any{map[string]any{"value": "a@x.test", "primary": true}, map[string]any{"value": "b@x.test", "primary": true}})
	replace := func(path string, v any) map[string]any {
		return map[string]any{"op": "replace", "path": path, "value": v}
	}
	tests := []struct {
		name, method, path, key, ctype string
		body                           any
		status                         int
		scimType                       string
	}{
		{"409 on userName in other case", "POST", "/scim/v2/Users", key, scimJSON, oktaUser("DUP@example.com", "x@example.com"), 409, "uniqueness"},
		{"409 on email of another SCIM user", "POST", "/scim/v2/Users", key, scimJSON, oktaUser("other", "Dup@example.com"), 409, "uniqueness"},
		{"409 on PUT to a taken userName", "PUT", uid, key, scimJSON, oktaUser("OTHER@example.com", "dup@example.com"), 409, "uniqueness"},
		{"missing key", "GET", "/scim/v2/Users", "", "", nil, 401, ""},
		{"unknown key", "GET", "/scim/v2/Users", "rk_" + strings.Repeat("A", 43), "", nil, 401, ""},
		{"malformed key", "GET", "/scim/v2/Users", "not a key", "", nil, 401, ""},
		{"invalid filter syntax", "GET", filterPath("Users", `userName eq`), key, "", nil, 400, "invalidFilter"},
		{"unsupported filter attribute", "GET", filterPath("Users", `title co "x"`), key, "", nil, 400, "invalidFilter"},
		{"password filter", "GET", filterPath("Users", `password eq "x"`), key, "", nil, 400, "invalidFilter"},
		{"unsupported operator", "GET", filterPath("Users", `userName ne "a"`), key, "", nil, 400, "invalidFilter"},
		{"gt", "GET", filterPath("Users", `meta.lastModified gt "2011-05-13T04:42:34Z"`), key, "", nil, 400, "invalidFilter"},
		{"number compared", "GET", filterPath("Users", `userName eq 12`), key, "", nil, 400, "invalidFilter"},
		{"value filter on type", "GET", filterPath("Users", `emails[type eq "work"]`), key, "", nil, 400, "invalidFilter"},
		{"group filter on members", "GET", filterPath("Groups", `members eq "x"`), key, "", nil, 400, "invalidFilter"},
		{"text/plain body", "POST", "/scim/v2/Users", key, "text/plain", oktaUser("p@example.com", "p@example.com"), 415, ""},
		{"no content type", "POST", "/scim/v2/Users", key, "", oktaUser("p@example.com", "p@example.com"), 415, ""},
		{"XML on PATCH", "PATCH", uid, key, "application/xml", "<x/>", 415, ""},
		{"body past the cap", "POST", "/scim/v2/Users", key, scimJSON, bigName, 413, ""},
		{"bad JSON", "POST", "/scim/v2/Users", key, scimJSON, `{"userName":`, 400, "invalidSyntax"},
		{"top-level array", "POST", "/scim/v2/Users", key, scimJSON, `[{"userName":"a"}]`, 400, "invalidSyntax"},
		{"no userName", "POST", "/scim/v2/Users", key, scimJSON, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, 400, "invalidValue"},
		{"userName a number", "POST", "/scim/v2/Users", key, scimJSON, typed("userName", 123), 400, "invalidValue"},
		{"active not a boolean", "POST", "/scim/v2/Users", key, scimJSON, typed("active", "yes"), 400, "invalidValue"},
		{"emails a string", "POST", "/scim/v2/Users", key, scimJSON, typed("emails", "x"), 400, "invalidValue"},
		{"two primary emails", "POST", "/scim/v2/Users", key, scimJSON, twoPrimaries, 400, "invalidValue"},
		{"no schemas", "POST", "/scim/v2/Users", key, scimJSON, `{"userName":"n@example.com"}`, 400, "invalidSyntax"},
		{"Group schema posted to Users", "POST", "/scim/v2/Users", key, scimJSON, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"g"}`, 400, "invalidSyntax"},
		{"unknown user", "GET", "/scim/v2/Users/nope", key, "", nil, 404, ""},
		{"unknown numeric user", "GET", "/scim/v2/Users/00919288221112222", key, "", nil, 404, ""},
		{"PUT unknown user", "PUT", "/scim/v2/Users/nope", key, scimJSON, oktaUser("n@example.com", "n@example.com"), 404, ""},
		{"PATCH unknown user", "PATCH", "/scim/v2/Users/nope", key, scimJSON, patchBody(replace("active", false)), 404, ""},
		{"DELETE non-SCIM member", "DELETE", "/scim/v2/Users/m-admin", key, "", nil, 404, ""},
		{"unknown endpoint", "GET", "/scim/v2/Foo", key, "", nil, 404, ""},
		{"bad startIndex", "GET", "/scim/v2/Users?startIndex=x", key, "", nil, 400, "invalidValue"},
		{"bad count", "GET", "/scim/v2/Users?count=1.5", key, "", nil, 400, "invalidValue"},
		{"PATCH without PatchOp schema", "PATCH", uid, key, scimJSON, map[string]any{"Operations": []any{replace("active", false)}}, 400, "invalidSyntax"},
		{"PATCH without operations", "PATCH", uid, key, scimJSON, patchBody(), 400, "invalidSyntax"},
		{"PATCH unknown op", "PATCH", uid, key, scimJSON, patchBody(map[string]any{"op": "merge", "path": "active", "value": false}), 400, "invalidSyntax"},
		{"PATCH replace without value", "PATCH", uid, key, scimJSON, patchBody(map[string]any{"op": "replace", "path": "active"}), 400, "invalidValue"},
		{"PATCH remove without path", "PATCH", uid, key, scimJSON, patchBody(map[string]any{"op": "remove"}), 400, "noTarget"},
		{"PATCH bad path syntax", "PATCH", uid, key, scimJSON, patchBody(replace("emails[type eq", "x")), 400, "invalidPath"},
		{"PATCH unknown attribute", "PATCH", uid, key, scimJSON, patchBody(replace("isAdmin", true)), 400, "invalidPath"},
		{"PATCH unknown sub-attribute", "PATCH", uid, key, scimJSON, patchBody(replace("name.middle", "x")), 400, "invalidPath"},
		{"PATCH filter on a single-valued attribute", "PATCH", uid, key, scimJSON, patchBody(replace(`name[givenName eq "x"]`, "y")), 400, "invalidPath"},
		{"PATCH replace id", "PATCH", uid, key, scimJSON, patchBody(replace("id", "other")), 400, "mutability"},
		{"PATCH replace meta", "PATCH", uid, key, scimJSON, patchBody(replace("meta", map[string]any{})), 400, "mutability"},
		{"PATCH other id in value", "PATCH", uid, key, scimJSON, patchBody(map[string]any{"op": "replace", "value": map[string]any{"id": "other"}}), 400, "mutability"},
		{"PATCH replace on no match", "PATCH", uid, key, scimJSON, patchBody(replace(`emails[type eq "home"].value`, "h@x.test")), 400, "noTarget"},
		{"PATCH active a string", "PATCH", uid, key, scimJSON, patchBody(replace("active", "maybe")), 400, "invalidValue"},
		{"PATCH value of path-less replace not an object", "PATCH", uid, key, scimJSON, patchBody(map[string]any{"op": "replace", "value": false}), 400, "invalidValue"},
		{"POST to ServiceProviderConfig", "POST", "/scim/v2/ServiceProviderConfig", key, scimJSON, `{}`, 405, ""},
		{"Bulk", "POST", "/scim/v2/Bulk", key, scimJSON, `{}`, 501, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hdr, body := e.do(t, tt.method, tt.path, tt.key, tt.ctype, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %v", status, tt.status, body)
			}
			if diff := cmp.Diff([]any{"urn:ietf:params:scim:api:messages:2.0:Error"}, body["schemas"]); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
			if body["status"] != strconv.Itoa(tt.status) {
				t.Errorf("status field %#v, want the string %q", body["status"], strconv.Itoa(tt.status))
			}
			if got, _ := body["scimType"].(string); got != tt.scimType {
				t.Errorf("scimType %q, want %q", got, tt.scimType)
			}
			d, _ := body["detail"].(string)
			if d == "" {
				t.Error("detail is empty")
			}
			for _, leak := range []string{"SELECT", "sqlite", "SQL", "constraint", "scim_user_key", "member_emails", "goroutine", ".go:"} {
				if strings.Contains(d, leak) {
					t.Errorf("detail %q leaks internals (%q)", d, leak)
				}
			}
			if !strings.HasPrefix(hdr.Get("Content-Type"), "application/scim+json") {
				t.Errorf("Content-Type %q", hdr.Get("Content-Type"))
			}
			if tt.status == http.StatusUnauthorized && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", hdr.Get("WWW-Authenticate"))
			}
		})
	}
	// Nothing above changed the user.
	got := e.must(t, 200, "GET", uid, key, nil)
	if got["userName"] != "dup@example.com" || got["active"] != true || got["id"] != u["id"] {
		t.Errorf("user after the failed requests: %v", got)
	}
}
