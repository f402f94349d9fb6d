package console_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/console"
	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// recorder is a Provisioner that notes each call.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) note(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, a...))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

func (r *recorder) Provision(_ context.Context, app string) error {
	r.note("provision %s", app)
	return nil
}
func (r *recorder) SyncGroup(_ context.Context, g string) error { r.note("group %s", g); return nil }
func (r *recorder) SyncUsers(_ context.Context, ids ...string) error {
	r.note("users %s", strings.Join(ids, ","))
	return nil
}
func (r *recorder) PushGroup(_ context.Context, app, g string) error {
	r.note("push %s %s", app, g)
	return nil
}
func (r *recorder) UnlinkGroup(_ context.Context, app, g string, del bool) error {
	r.note("unlink %s %s delete=%v", app, g, del)
	return nil
}

func newProvEnv(t *testing.T, rec *recorder) *env {
	t.Helper()
	return newActionsEnv(t, console.Config{Provisioner: rec})
}

// newActionsEnv is a signed-in console over a new org, with cfg's provisioning and actions.
func newActionsEnv(t *testing.T, cfg console.Config) *env {
	t.Helper()
	dir, err := directory.New(directory.Config{Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/acme"
	cfg.BaseURL, cfg.Directory, cfg.Password = base, dir, password
	c, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Mount(mux)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.StripPrefix("/acme", mux)}}
	srv.Start()
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	e := &env{t: t, dir: dir, base: base, client: &http.Client{Jar: jar}}
	e.signIn()
	return e
}

func TestProvisioningTab(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newProvEnv(t, rec)
	app, _ := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://x/cb"}})
	tab := "/admin/apps/" + app.ID + "?tab=provisioning"
	status, body := e.post("/admin/apps/"+app.ID+"/provisioning", url.Values{"enabled": {"on"},
		"baseUrl": {"http://127.0.0.1:9/scim/v2"}, "token": {"secret-scim-token"}, "flavour": {"aiw"},
		"create": {"on"}, "deactivate": {"on"}})
	if status != 200 || !strings.Contains(body, "Provisioning settings saved.") {
		t.Fatalf("save: %d", status)
	}
	a, _ := e.dir.App(app.ID)
	want := &directory.Provisioning{BaseURL: "http://127.0.0.1:9/scim/v2", Token: "secret-scim-token", Flavour: "aiw",
		Features: &directory.Features{Create: true, Deactivate: true}}
	if diff := cmp.Diff(want, a.Provisioning); diff != "" {
		t.Errorf("provisioning (-want +got):\n%s", diff)
	}
	if _, body := e.get(tab); strings.Contains(body, "secret-scim-token") || !strings.Contains(body, "leave empty to keep it") {
		t.Error("the Provisioning tab must never show the token back, and must say one is set")
	}
	// Saving again with the token field empty keeps the token.
	e.post("/admin/apps/"+app.ID+"/provisioning", url.Values{"enabled": {"on"}, "baseUrl": {"http://127.0.0.1:9/scim/v2"},
		"flavour": {"oin"}, "create": {"on"}, "update": {"on"}, "deactivate": {"on"}, "pushGroups": {"on"}})
	if a, _ := e.dir.App(app.ID); a.Provisioning.Token != "secret-scim-token" || a.Provisioning.Flavour != "oin" {
		t.Errorf("after a save without token: %+v", a.Provisioning)
	}
	if status, body := e.post("/admin/apps/"+app.ID+"/provisioning/push", nil); status != 200 || !strings.Contains(body, "Provisioning queued") {
		t.Errorf("Push Now: %d", status)
	}
	if diff := cmp.Diff([]string{"provision " + app.ID}, rec.take()); diff != "" {
		t.Errorf("Push Now calls (-want +got):\n%s", diff)
	}
	if status, body := e.post("/admin/apps/"+app.ID+"/provisioning", url.Values{"flavour": {"oin"}}); status != 200 ||
		!strings.Contains(body, "API integration disabled.") {
		t.Errorf("disable: %d", status)
	}
	if a, _ := e.dir.App(app.ID); a.Provisioning != nil {
		t.Error("unchecking Enable API integration must turn provisioning off")
	}
}

func TestPushGroupsTab(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newProvEnv(t, rec)
	app, _ := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://x/cb"}})
	_ = e.dir.SetProvisioning(app.ID, directory.Provisioning{BaseURL: "http://127.0.0.1:9/scim/v2", Token: "t"})
	g, _ := e.dir.CreateGroup(directory.GroupInput{Name: "Engineering"})
	u, _ := e.dir.CreateUser(directory.UserInput{Login: "ann@acme.test"})
	if _, body := e.get("/admin/apps/" + app.ID + "?tab=pushgroups"); !strings.Contains(body, `<option value="`+g.ID+`">Engineering</option>`) {
		t.Error("the Push Groups tab must offer the group")
	}
	e.post("/admin/apps/"+app.ID+"/pushgroups", url.Values{"groupId": {g.ID}})
	e.post("/admin/apps/"+app.ID+"/pushgroups/"+g.ID+"/unlink", url.Values{"action": {"delete"}})
	e.post("/admin/apps/"+app.ID+"/pushgroups/"+g.ID+"/unlink", url.Values{"action": {"leave"}})
	if _, body := e.post("/admin/apps/"+app.ID+"/pushgroups/"+g.ID+"/unlink", nil); !strings.Contains(body, "choose") {
		t.Error("an unlink without a choice must be refused")
	}
	e.post("/admin/apps/"+app.ID+"/users", url.Values{"userId": {u.ID}})
	e.post("/admin/users/"+u.ID+"/deactivate", nil)
	e.post("/admin/groups/"+g.ID+"/members", url.Values{"userId": {u.ID}})
	want := []string{"push " + app.ID + " " + g.ID, "unlink " + app.ID + " " + g.ID + " delete=true",
		"unlink " + app.ID + " " + g.ID + " delete=false", "users " + u.ID, "users " + u.ID, "users " + u.ID}
	if diff := cmp.Diff(want, rec.take()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
