package scimserver_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/store"
)

const groupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"

func memberIDs(g map[string]any) []string {
	var out []string
	ms, _ := g["members"].([]any)
	for _, m := range ms {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

func TestGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	var users []string
	for _, n := range []string{"u1@acme.test", "u2@acme.test", "u3@acme.test"} {
		users = append(users, e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser(n, n))["id"].(string))
	}
	u1, u2, u3 := users[0], users[1], users[2]
	e.must(t, 200, "GET", "/scim/v2/Groups", key, nil)
	g := e.must(t, 201, "POST", "/scim/v2/Groups", key, map[string]any{"schemas": []string{groupURN}, "displayName": "Engineering", "members": []any{}})
	id := g["id"].(string)
	path := "/scim/v2/Groups/" + id
	want := map[string]any{"schemas": []any{groupURN}, "id": id, "displayName": "Engineering",
		"meta": map[string]any{"resourceType": "Group", "created": "2025-05-06T07:08:09Z", "lastModified": "2025-05-06T07:08:09Z",
			"location": e.srv.URL + path}}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("created group (-want +got):\n%s", diff)
	}
	e.must(t, 409, "POST", "/scim/v2/Groups", key, map[string]any{"schemas": []string{groupURN}, "displayName": "ENGINEERING"})
	if l := e.must(t, 200, "GET", filterPath("Groups", `displayName eq "engineering"`), key, nil); cmp.Diff([]string{id}, ids(t, l)) != "" {
		t.Errorf("displayName filter: %v", l)
	}
	add := func(ids ...string) map[string]any {
		var v []any
		for _, i := range ids {
			v = append(v, map[string]any{"value": i, "display": "x"})
		}
		return map[string]any{"op": "add", "path": "members", "value": v}
	}
	steps := []struct {
		name string
		ops  []map[string]any
		want []string
	}{
		{"add (OIN)", []map[string]any{add(u1, u2)}, []string{u1, u2}},
		{"add again is idempotent", []map[string]any{add(u1)}, []string{u1, u2}},
		{"remove by value filter", []map[string]any{{"op": "remove", "path": `members[value eq "` + u1 + `"]`}}, []string{u2}},
		{"remove a non-member is a no-op", []map[string]any{{"op": "remove", "path": `members[value eq "nobody"]`}}, []string{u2}},
		{"remove then add in one request", []map[string]any{{"op": "remove", "path": `members[value eq "` + u2 + `"]`}, add(u3)}, []string{u3}},
		{"replace (Push Now)", []map[string]any{{"op": "replace", "path": "members", "value": []any{map[string]any{"value": u1}, map[string]any{"value": u2}}}}, []string{u1, u2}},
		{"Entra: Remove with a value array", []map[string]any{{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": u1}}}}, []string{u2}},
		{"Entra: Add with $ref null", []map[string]any{{"op": "Add", "path": "members", "value": []any{map[string]any{"value": u3, "$ref": nil}}}}, []string{u2, u3}},
		{"Okta rename: id inside the value", []map[string]any{{"op": "replace", "value": map[string]any{"id": id, "displayName": "Platform"}}}, []string{u2, u3}},
	}
	for _, s := range steps {
		got := e.must(t, 200, "PATCH", path, key, patchBody(s.ops...))
		if diff := cmp.Diff(s.want, memberIDs(got)); diff != "" {
			t.Errorf("%s: members (-want +got):\n%s", s.name, diff)
		}
	}
	got := e.must(t, 200, "GET", path, key, nil)
	if got["displayName"] != "Platform" {
		t.Errorf("after rename: %v", got)
	}
	m0 := got["members"].([]any)[0].(map[string]any)
	if m0["display"] != "u2@acme.test" || m0["$ref"] != e.srv.URL+"/scim/v2/Users/"+u2 {
		t.Errorf("member %v: want display = userName and $ref", m0)
	}
	if g := e.must(t, 200, "GET", path+"?excludedAttributes=members", key, nil); g["members"] != nil {
		t.Errorf("excludedAttributes=members still returns members")
	}
	// AIW flavour: PUT with the full member list, also renaming.
	got = e.must(t, 200, "PUT", path, key, map[string]any{"schemas": []string{groupURN}, "displayName": "Platform Team",
		"members": []any{map[string]any{"value": u1}, map[string]any{"value": u3}}})
	if got["displayName"] != "Platform Team" || cmp.Diff([]string{u1, u3}, memberIDs(got)) != "" {
		t.Errorf("PUT: %v", got)
	}
	e.must(t, 400, "PUT", path, key, map[string]any{"schemas": []string{groupURN}, "displayName": "x", "members": []any{map[string]any{"value": "ghost"}}})
	e.must(t, 400, "PUT", path, key, map[string]any{"schemas": []string{groupURN}, "members": []any{}})
	e.must(t, 404, "PATCH", "/scim/v2/Groups/nope", key, patchBody(add(u1)))
	if got := e.must(t, 204, "DELETE", path, key, nil); got != nil {
		t.Errorf("DELETE body %v", got)
	}
	e.must(t, 404, "GET", path, key, nil)
	for _, u := range users {
		if got := e.must(t, 200, "GET", "/scim/v2/Users/"+u, key, nil); got["active"] != true {
			t.Errorf("member %s after its group was deleted: %v", u, got)
		}
	}
}

func TestGroupsAreTeams(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{})
	key := e.keys["acme"]
	u := e.must(t, 201, "POST", "/scim/v2/Users", key, oktaUser("t@acme.test", "t@acme.test"))["id"].(string)
	e.must(t, 201, "POST", "/scim/v2/Groups", key, map[string]any{"schemas": []string{groupURN}, "displayName": "Sales",
		"members": []any{map[string]any{"value": u}}})
	gs, total, err := e.st.ListGroups(context.Background(), "acme", storeQuery(10))
	if err != nil || total != 1 || gs[0].DisplayName != "Sales" || len(gs[0].Members) != 1 || gs[0].Members[0].ID != u {
		t.Errorf("the org's teams = %+v, %d, %v", gs, total, err)
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, scimserver.Config{MaxPageSize: 200})
	key := e.keys["acme"]
	spc := e.must(t, 200, "GET", "/scim/v2/ServiceProviderConfig", key, nil)
	for k, want := range map[string]any{
		"patch": map[string]any{"supported": true}, "bulk": map[string]any{"supported": false, "maxOperations": 0.0, "maxPayloadSize": 0.0},
		"filter": map[string]any{"supported": true, "maxResults": 200.0}, "changePassword": map[string]any{"supported": false},
		"sort": map[string]any{"supported": false}, "etag": map[string]any{"supported": false},
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
	} {
		if diff := cmp.Diff(want, spc[k]); diff != "" {
			t.Errorf("ServiceProviderConfig %s (-want +got):\n%s", k, diff)
		}
	}
	if schemes, _ := spc["authenticationSchemes"].([]any); len(schemes) != 1 {
		t.Errorf("authenticationSchemes %v", spc["authenticationSchemes"])
	}
	rts := e.must(t, 200, "GET", "/scim/v2/ResourceTypes", key, nil)
	if got := ids(t, rts); cmp.Diff([]string{"User", "Group"}, got) != "" {
		t.Errorf("ResourceTypes %v", got)
	}
	if rt := e.must(t, 200, "GET", "/scim/v2/ResourceTypes/User", key, nil); rt["endpoint"] != "/Users" || rt["schema"] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("ResourceTypes/User %v", rt)
	}
	schemas := e.must(t, 200, "GET", "/scim/v2/Schemas", key, nil)
	if got := ids(t, schemas); cmp.Diff([]string{"urn:ietf:params:scim:schemas:core:2.0:User", groupURN}, got) != "" {
		t.Errorf("Schemas %v", got)
	}
	user := e.must(t, 200, "GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", key, nil)
	var names []string
	for _, a := range user["attributes"].([]any) {
		names = append(names, a.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"userName", "name", "displayName", "emails", "active"}, names); diff != "" {
		t.Errorf("User schema attributes (-want +got):\n%s", diff)
	}
	e.must(t, 404, "GET", "/scim/v2/Schemas/urn:nope", key, nil)
	e.must(t, 401, "GET", "/scim/v2/Schemas", "", nil)
}

func storeQuery(limit int) store.Query { return store.Query{Limit: limit} }
