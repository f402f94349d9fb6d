package provisioner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
)

// target is a SCIM server whose POST /Users answer is chosen by the test; filters find nothing.
type target struct {
	mu    sync.Mutex
	post  func(w http.ResponseWriter) // nil: 201 with an id
	lines []string
	n     int
}

func (s *target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.lines = append(s.lines, r.Method+" "+r.URL.Path)
	s.n++
	n, post := s.n, s.post
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/scim+json")
	switch {
	case r.Method == http.MethodGet:
		_, _ = fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	case post != nil:
		post(w)
	default:
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": fmt.Sprintf("srv-%d", n)})
	}
}

func (s *target) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

type env struct {
	dir *directory.Org
	eng *provisioner.Engine
}

func newEnv(t *testing.T, sleep func(context.Context, time.Duration) error) *env {
	t.Helper()
	dir, err := directory.New(directory.Config{Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := provisioner.New(provisioner.Config{Directory: dir, Sleep: sleep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return &env{dir: dir, eng: eng}
}

// app makes an app provisioned to h.
func (e *env) app(t *testing.T, label string, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	a, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: label, RedirectURIs: []string{"http://app.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.dir.SetProvisioning(a.ID, directory.Provisioning{BaseURL: srv.URL + "/scim/v2", Token: "t0k-s3cret"}); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// assign creates a user, assigns it to the apps and records the change.
func (e *env) assign(t *testing.T, login string, appIDs ...string) string {
	t.Helper()
	u, err := e.dir.CreateUser(directory.UserInput{Login: login, FirstName: "A", LastName: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range appIDs {
		if _, err := e.dir.Assign(id, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.eng.UsersChanged(u.ID)
	return u.ID
}

func (e *env) quiet(t *testing.T, appID string) []provisioner.Task {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.eng.WaitQuiet(ctx, appID); err != nil {
		t.Fatal(err)
	}
	return e.eng.Tasks(appID)
}

func TestFailuresKeepOktasWordingAndWaitForRetry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		post func(w http.ResponseWriter)
		want string
	}{
		{"409", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusConflict)
			_, _ = fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User already exists","status":"409"}`)
		}, "Conflict. Errors reported by remote server: User already exists"},
		{"500 HTML", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprint(w, "<html><body>error</body></html>")
		}, "Bad Gateway. Invalid JSON: Unrecognized token '<html><body>error</body></html>'"},
		{"empty 201", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) },
			"Create new user returned empty user."},
		{"201 not JSON", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusCreated)
			_, _ = fmt.Fprint(w, "created")
		}, "Invalid JSON: Unrecognized token 'created'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			srv := &target{post: c.post}
			app := e.app(t, "refapp", srv)
			e.assign(t, "alice@acme.test", app)
			tasks := e.quiet(t, app)
			if len(tasks) != 1 || tasks[0].Status != provisioner.StatusFailed {
				t.Fatalf("tasks = %+v, want one failed", tasks)
			}
			wantPrefix := "Automatic provisioning of user alice@acme.test to app refapp failed: Error while creating user alice@acme.test: "
			if got := tasks[0].Message; got != wantPrefix+c.want {
				t.Errorf("message\n got %q\nwant %q", got, wantPrefix+c.want)
			}
			before := len(srv.requests())
			if _, ok := e.dir.PushedUser(app, tasks[0].UserID); ok {
				t.Error("a failed create recorded the user as pushed")
			}
			srv.mu.Lock()
			srv.post = nil // the admin fixed the server
			srv.mu.Unlock()
			if err := e.eng.Retry(tasks[0].ID); err != nil {
				t.Fatal(err)
			}
			tasks = e.quiet(t, app)
			if tasks[0].Status != provisioner.StatusCompleted || tasks[0].Attempts != 2 {
				t.Errorf("after Retry: %+v, want completed on the second attempt", tasks[0])
			}
			if got := srv.requests()[before:]; len(got) != 2 {
				t.Errorf("retry sent %v, want F(u) and POST", got)
			}
			if err := e.eng.Retry(tasks[0].ID); err == nil {
				t.Error("Retry of a completed task succeeded")
			}
		})
	}
}

func TestDismiss(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	app := e.app(t, "refapp", &target{post: func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }})
	e.assign(t, "bob@acme.test", app)
	tasks := e.quiet(t, app)
	if err := e.eng.Dismiss(tasks[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := e.eng.Tasks(app)[0].Status; got != provisioner.StatusDismissed {
		t.Errorf("status %s, want DISMISSED", got)
	}
	if n := e.eng.RetryAll(app); n != 0 {
		t.Errorf("RetryAll retried %d dismissed tasks", n)
	}
}

// A 429 without Retry-After parks only that app's queue (5 minutes, by the injected sleep): the other
// app's tasks run meanwhile, and the parked task shows RATE_LIMITED until the wait ends.
func TestRateLimitParksOnlyThatApp(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	waits := make(chan time.Duration, 10)
	e := newEnv(t, func(ctx context.Context, d time.Duration) error {
		waits <- d
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var throttled sync.Once
	slow := e.app(t, "throttled", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		throttled.Do(func() { first = true })
		if first {
			w.WriteHeader(http.StatusTooManyRequests) // no Retry-After
			return
		}
		(&target{}).ServeHTTP(w, r)
	}))
	fast := e.app(t, "other", &target{})
	e.assign(t, "carol@acme.test", slow, fast)
	if d := <-waits; d != 5*time.Minute {
		t.Errorf("first wait %v, want 5m (no Retry-After)", d)
	}
	tasks := e.quiet(t, fast)
	if len(tasks) != 1 || tasks[0].Status != provisioner.StatusCompleted {
		t.Fatalf("other app's tasks = %+v, want one completed while the first app is parked", tasks)
	}
	parked := e.eng.Tasks(slow)
	if len(parked) != 1 || parked[0].Status != provisioner.StatusRateLimited || parked[0].RetryAt.IsZero() {
		t.Fatalf("throttled app's tasks = %+v, want one RATE_LIMITED with a retry time", parked)
	}
	close(release)
	tasks = e.quiet(t, slow)
	if tasks[0].Status != provisioner.StatusCompleted || tasks[0].RateLimits != 1 {
		t.Errorf("after the wait: %+v, want completed after one 429", tasks[0])
	}
}

// Tasks of one app run in the order they were queued, and a change queued twice runs once.
func TestQueueOrderAndCoalescing(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	srv := &target{}
	e := newEnv(t, nil)
	app := e.app(t, "refapp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-gate
		srv.ServeHTTP(w, r)
	}))
	var ids []string
	for _, n := range []string{"u1", "u2", "u3"} {
		ids = append(ids, e.assign(t, n+"@acme.test", app))
	}
	e.eng.UsersChanged(ids[2]) // already waiting: not queued twice
	close(gate)
	tasks := e.quiet(t, app)
	if len(tasks) != 3 {
		t.Fatalf("%d tasks, want 3", len(tasks))
	}
	var posts []string
	for _, l := range srv.requests() {
		if strings.HasPrefix(l, "POST") {
			posts = append(posts, l)
		}
	}
	for i, tk := range tasks {
		if tk.UserID != ids[i] || tk.Status != provisioner.StatusCompleted {
			t.Errorf("task %d = %+v, want user %s completed", i, tk, ids[i])
		}
	}
	if len(posts) != 3 {
		t.Errorf("POSTs %v, want 3", posts)
	}
}
