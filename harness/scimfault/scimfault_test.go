package scimfault

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// backend is a tiny fake SCIM server: one user u1 (only with token "good"), one group g1 with a member,
// a ServiceProviderConfig, and 200 for every write. It counts the writes it receives.
func backend(t *testing.T, writes *atomic.Int32) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if r.Method != http.MethodGet {
			writes.Add(1)
		}
		switch {
		case r.URL.Path == "/scim/v2/Users/u1" && r.Header.Get("Authorization") == "Bearer other":
			_, _ = io.WriteString(w, `{"id":"u1","userName":"b@x"}`)
		case r.URL.Path == "/scim/v2/Users/u1" && r.Method == http.MethodGet:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"not found"}`)
		case r.URL.Path == "/scim/v2/Groups/g1" && r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"id":"g1","displayName":"G","members":[{"value":"u2"}]}`)
		case r.URL.Path == "/scim/v2/ServiceProviderConfig":
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			_, _ = io.WriteString(w, `{"id":"u1","active":false}`)
		}
	}))
}

func TestMutationsTheLiveSelfTestMayNotReach(t *testing.T) {
	t.Parallel()
	type step struct {
		method, path, body string
		wantStatus         int
		wantBody           string // a substring; "!x" means x must be absent
	}
	tests := []struct {
		mutation   Mutation
		steps      []step
		wantWrites int32
	}{
		{"", []step{{"GET", "/scim/v2/Groups/g1", "", 200, `"members"`}, {"PATCH", "/scim/v2/Users/u1", `{}`, 200, `"id"`}}, 1},
		{PatchIgnored, []step{{"PATCH", "/scim/v2/Users/u1", `{"Operations":[]}`, 204, ""}}, 0},
		{PutIgnored, []step{{"PUT", "/scim/v2/Users/u1", `{"userName":"sent"}`, 200, `"sent"`}}, 0},
		{GroupDeleteIgnored, []step{{"DELETE", "/scim/v2/Groups/g1", "", 204, ""}, {"DELETE", "/scim/v2/Users/u1", "", 204, ""}}, 1},
		{GroupMembersDropped, []step{{"GET", "/scim/v2/Groups/g1", "", 200, `!members`}}, 0},
		{DeactivateHides, []step{{"GET", "/scim/v2/Groups/g1", "", 200, ""},
			{"PATCH", "/scim/v2/Users/u9", `{"Operations":[{"op":"replace","value":{"active": false}}]}`, 200, ""},
			{"GET", "/scim/v2/Users/u9", "", 404, `"404"`}}, 1},
		{TenantLeak, []step{{"GET", "/scim/v2/Users/u1", "", 200, `"b@x"`}}, 0},
		{DiscoveryNoSchemaURN, []step{{"GET", "/scim/v2/ServiceProviderConfig", "", 200, `!ServiceProviderConfig`}}, 0},
	}
	for _, tc := range tests {
		t.Run(string(tc.mutation), func(t *testing.T) {
			t.Parallel()
			var writes atomic.Int32
			be := backend(t, &writes)
			defer be.Close()
			p, err := New(Config{Target: be.URL, Mutation: tc.mutation, LeakAuthorization: "Bearer other"})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(p)
			defer srv.Close()
			for _, s := range tc.steps {
				req, _ := http.NewRequest(s.method, srv.URL+s.path, strings.NewReader(s.body))
				req.Header.Set("Authorization", "Bearer good")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != s.wantStatus {
					t.Errorf("%s %s: status %d, want %d (%s)", s.method, s.path, resp.StatusCode, s.wantStatus, body)
				}
				if absent, ok := strings.CutPrefix(s.wantBody, "!"); ok {
					if strings.Contains(string(body), absent) {
						t.Errorf("%s %s: body %s holds %s", s.method, s.path, body, absent)
					}
				} else if !strings.Contains(string(body), s.wantBody) {
					t.Errorf("%s %s: body %s lacks %s", s.method, s.path, body, s.wantBody)
				}
				if len(body) > 0 && !json.Valid(body) {
					t.Errorf("%s %s: body is not JSON: %s", s.method, s.path, body)
				}
			}
			if got := writes.Load(); got != tc.wantWrites {
				t.Errorf("the target received %d writes, want %d", got, tc.wantWrites)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{{Target: "no-scheme"}, {Target: "http://x.test", Mutation: "nope"},
		{Target: "http://x.test", Mutation: AcceptAnyToken}, {Target: "http://x.test", Mutation: TenantLeak}} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
