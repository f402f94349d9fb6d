package mgmtapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/mgmtapi"
)

// recorder is a Provisioner that notes each call.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

func (r *recorder) Provision(_ context.Context, appID string) error {
	r.note("provision " + appID)
	return nil
}
func (r *recorder) SyncGroup(_ context.Context, id string) error { r.note("group " + id); return nil }
func (r *recorder) SyncUsers(_ context.Context, ids ...string) error {
	r.note("users " + strings.Join(ids, ","))
	return nil
}

// TestProvisioningTriggers checks that every change Okta provisions reaches the Provisioner after the
// directory changed.
func TestProvisioningTriggers(t *testing.T) {
	t.Parallel()
	dir, err := directory.New(directory.Config{Name: "acme", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	api, err := mgmtapi.New(mgmtapi.Config{BaseURL: "http://127.0.0.1", Directory: dir, Token: token, Provisioner: rec})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	u, _ := dir.CreateUser(directory.UserInput{Login: "alice@acme.test"})
	v, _ := dir.CreateUser(directory.UserInput{Login: "bob@acme.test"})
	g, _ := dir.CreateGroup(directory.GroupInput{Name: "Eng"})
	_ = dir.AddGroupMember(g.ID, v.ID)
	app, _ := dir.CreateOIDCApp(directory.OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	steps := []struct {
		method, path, body string
		want               []string
	}{
		{"POST", "/api/v1/apps/" + app.ID + "/users", `{"id":"` + u.ID + `","scope":"USER"}`, []string{"users " + u.ID}},
		{"POST", "/api/v1/users/" + u.ID, `{"profile":{"firstName":"Alicia"}}`, []string{"users " + u.ID}},
		{"POST", "/api/v1/users/" + u.ID + "/lifecycle/deactivate", "", []string{"users " + u.ID}},
		{"POST", "/api/v1/users/" + u.ID + "/lifecycle/activate", "", []string{"users " + u.ID}},
		{"DELETE", "/api/v1/apps/" + app.ID + "/users/" + u.ID, "", []string{"users " + u.ID}},
		{"PUT", "/api/v1/apps/" + app.ID + "/groups/" + g.ID, "", []string{"users " + v.ID}},
		{"PUT", "/api/v1/groups/" + g.ID + "/users/" + u.ID, "", []string{"users " + u.ID}},
		{"DELETE", "/api/v1/groups/" + g.ID + "/users/" + u.ID, "", []string{"users " + u.ID}},
		{"PUT", "/api/v1/groups/" + g.ID, `{"profile":{"name":"Platform"}}`, []string{"group " + g.ID}},
		{"DELETE", "/api/v1/apps/" + app.ID + "/groups/" + g.ID, "", []string{"users " + v.ID}},
		{"DELETE", "/api/v1/users/" + u.ID, "", []string{"users " + u.ID}},
		{"DELETE", "/api/v1/groups/" + g.ID, "", []string{"users " + v.ID}},
		{"POST", "/api/v1/users/" + v.ID + "/lifecycle/suspend", "", []string{"users " + v.ID}},
	}
	for _, st := range steps {
		req, _ := http.NewRequestWithContext(t.Context(), st.method, srv.URL+st.path, strings.NewReader(st.body))
		req.Header.Set("Authorization", "SSWS "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: status %d", st.method, st.path, resp.StatusCode)
		}
		if diff := cmp.Diff(st.want, rec.take()); diff != "" {
			t.Errorf("%s %s: provisioner calls (-want +got):\n%s", st.method, st.path, diff)
		}
	}
}
