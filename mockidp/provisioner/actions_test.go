package provisioner_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// Pushing a group to one app pushes its members to that app only.
func TestPushGroupIsScopedToItsApp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	one, two := &target{}, &target{}
	a1, a2 := e.app(t, "one", one), e.app(t, "two", two)
	g, err := e.dir.CreateGroup(directory.GroupInput{Name: "Eng"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := e.dir.CreateUser(directory.UserInput{Login: "dan@acme.test"})
	for _, step := range []error{e.dir.AddGroupMember(g.ID, u.ID), assignGroup(e.dir, a1, g.ID), assignGroup(e.dir, a2, g.ID)} {
		if step != nil {
			t.Fatal(step)
		}
	}
	if err := e.eng.PushGroup(a1, g.ID); err != nil {
		t.Fatal(err)
	}
	e.quiet(t, a1)
	e.quiet(t, a2)
	if got := two.requests(); len(got) != 0 {
		t.Errorf("app two got %v from a push to app one", got)
	}
	if got := one.requests(); len(got) != 4 { // F(u), POST /Users, POST /Groups, PATCH members
		t.Errorf("app one got %v, want the user and the group", got)
	}
}

func assignGroup(dir *directory.Org, appID, groupID string) error {
	_, err := dir.AssignGroup(appID, groupID)
	return err
}

// Force Sync re-pushes provisioned users and never creates the backlog (A21).
func TestForceSyncSendsNothingForBacklog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	srv := &target{}
	app := e.app(t, "refapp", srv)
	pushed := e.assign(t, "eve@acme.test", app)
	e.quiet(t, app)
	backlog, _ := e.dir.CreateUser(directory.UserInput{Login: "fay@acme.test"})
	if _, err := e.dir.Assign(app, backlog.ID); err != nil { // assigned without a recorded change
		t.Fatal(err)
	}
	before := len(srv.requests())
	if err := e.eng.ForceSync(app); err != nil {
		t.Fatal(err)
	}
	tasks := e.quiet(t, app)
	got := srv.requests()[before:]
	if len(got) != 2 || !strings.HasPrefix(got[0], "GET /scim/v2/Users/") || !strings.HasPrefix(got[1], "PUT") {
		t.Errorf("Force Sync sent %v, want GET + PUT of the provisioned user only", got)
	}
	if last := tasks[len(tasks)-1]; last.UserID != pushed {
		t.Errorf("last task %+v, want the provisioned user's", last)
	}
}

func TestTestCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ok := e.app(t, "ok", &target{})
	if err := e.eng.TestCredentials(t.Context(), ok); err != nil {
		t.Errorf("good credentials: %v", err)
	}
	bad := e.app(t, "bad", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"detail":"Invalid SCIM token"}`)
	}))
	err := e.eng.TestCredentials(t.Context(), bad)
	if err == nil || err.Error() != "Error authenticating: Unauthorized. Errors reported by remote server: Invalid SCIM token" {
		t.Errorf("bad credentials: %v", err)
	}
}

// Import links users by exact userName or email and creates the rest, STAGED (A10).
func TestImportMatchesExactly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	app := e.app(t, "refapp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"totalResults":3,"Resources":[`+
			`{"id":"s1","userName":"gus@acme.test","emails":[{"value":"gus@acme.test"}]},`+
			`{"id":"s2","userName":"HAL@acme.test","emails":[{"value":"hal.work@acme.test"}]},`+
			`{"id":"s3","userName":"ida@acme.test","active":false}]}`)
	}))
	gus, _ := e.dir.CreateUser(directory.UserInput{Login: "gus@acme.test"})
	hal, _ := e.dir.CreateUser(directory.UserInput{Login: "hal@acme.test", Email: "hal.work@acme.test"})
	if err := e.eng.Import(app, false); err != nil {
		t.Fatal(err)
	}
	if tasks := e.quiet(t, app); len(tasks) != 1 || tasks[0].Status != "COMPLETED" {
		t.Fatalf("tasks %+v", tasks)
	}
	for uid, want := range map[string]string{gus.ID: "s1", hal.ID: "s2"} {
		if p, ok := e.dir.PushedUser(app, uid); !ok || p.ExternalID != want || !e.dir.IsAssigned(app, uid) {
			t.Errorf("user %s linked as %+v, want %s and assigned", uid, p, want)
		}
	}
	if _, ok := e.dir.UserByLogin("ida@acme.test"); ok {
		t.Error("an inactive app user was imported")
	}
	if n := len(e.dir.Users()); n != 2 {
		t.Errorf("%d Okta users, want 2 (both matched, none created)", n)
	}
}
