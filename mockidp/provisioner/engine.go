// Package provisioner is the mock Okta org's provisioning engine: the one place where a directory change
// becomes SCIM requests. Every surface (the Go API in the root package, the management API, the console)
// changes the directory and then tells the engine what changed (UsersChanged, GroupChanged) or asks for an
// action (PushGroup, UnlinkGroup, Provision, ForceSync, Retry); none of them talks to the SCIM client.
//
// The engine works as Okta's provisioning does (shared/reference/okta-scim.md a.3, a.6):
//
//   - Tasks. Each change or action becomes a Task in the queue of the app integration it belongs to. A
//     queue is worked by its own goroutine, one task at a time, in the order the tasks were queued, so the
//     tasks of one user (or group) run in order; apps never wait for each other. Callers return as soon as
//     the task is queued.
//
//   - What a task sends is decided when it runs, by comparing the directory with what the app's server was
//     last told (directory.PushedUser, directory.GroupPush), per the app's flavour and features:
//
//     user assigned, not pushed yet          F(u), POST /Users (or link: GET + PUT)        A2/A3
//     pushed user's profile changed          GET + PUT                                     A4
//     pushed active user unassigned or       OIN PATCH {active:false}; AIW GET + PUT       A5/A20
//     deactivated in Okta
//     suspended / deleted in Okta            nothing                                       A6/A7
//     inactive pushed user active again      OIN PATCH {active:true}; AIW GET + PUT        A8
//     PushGroup                              A12, then membership and renames              A12-A16
//     UnlinkGroup(deleteInApp)               DELETE /Groups/{id} or nothing                A18/A19
//     PushGroup of a linked group            OIN PATCH replace members (full list);        A15
//     ("Push Now")                           AIW GET + PUT
//     PasswordChanged (Sync Password on)     OIN PATCH {password}; AIW GET + PUT           A9
//     Import                                 GET /Users?startIndex=1&count=100, 101, ...   A10/A11
//     (then /Groups); exact match on userName or
//     email links, no match creates a STAGED user
//     ForceSync                              GET + PUT of every pushed, assigned user      A21
//     Provision ("Provision User")           the above for every user of the app
//     TestCredentials (right away)           GET /Users?startIndex=1&count=2               A1
//
//   - Authentication per the app's settings: Bearer (default), the raw token as the header, or Basic.
//
//   - Failures. A task that fails (5xx, timeout, non-JSON answer, 409, 404, create answer without an id)
//     is kept as Failed with Okta's wording ("Automatic provisioning of user X to app Y failed: ...") and
//     waits for Retry (one task, or all of an app) or Dismiss, as in Okta's Dashboard > Tasks; it is never
//     retried by itself.
//
//   - 429. The request is sent again after Retry-After (integer seconds, else 5 minutes), doubling the wait
//     on each further 429, at most 10 attempts (package scimpush). While it waits the task is RateLimited
//     and only that app's queue is parked: other apps, the console and the APIs go on. Waiting goes through
//     Config.Sleep, so tests never sleep.
//
//   - WaitQuiet blocks until an app's queue is empty and nothing runs: the Go API's way to wait for the
//     pushes a change caused.
//
// Every operation is one System Log event (application.provision.*, SUCCESS or FAILURE) whose debug data
// lists each exchange's request line and status and which keeps the exchanges themselves (headers and
// bodies, redacted by the SCIM client as it records them, and by name again by the log); every exchange
// is also kept in the app's transcript.
//
//	eng := provisioner.New(provisioner.Config{Directory: dir, Log: log, Client: scimpush.New(scimpush.Config{})})
//	_ = dir.Assign(appID, userID)
//	eng.UsersChanged(userID)           // queues "push user" on every app with provisioning
//	err := eng.WaitQuiet(ctx, appID)   // F(u), POST /Users sent
//	for _, t := range eng.Tasks(appID) { fmt.Println(t.Status, t.Message) }
package provisioner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Config configures an Engine.
type Config struct {
	// Directory is the org's state. Required.
	Directory *directory.Org
	// Log receives one event per provisioning operation. Default: none.
	Log *syslog.Log
	// HTTPClient sends the SCIM requests. Default: a client with a 60 s timeout.
	HTTPClient *http.Client
	// Rand is the source of password placeholders. Default: crypto/rand.Reader.
	Rand io.Reader
	// Now stamps tasks and transcript entries. Default: time.Now.
	Now func() time.Time
	// Sleep waits before a request that got 429 is sent again; it returns early with ctx's error.
	// Default: a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives one line per exchange and per failed task, never secrets. Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// ErrFeatureOff reports an action whose provisioning feature is off, or an app without provisioning.
var ErrFeatureOff = errors.New("provisioning feature is off")

// Engine is one org's provisioning engine. It is safe for concurrent use.
type Engine struct {
	cfg  Config
	dir  *directory.Org
	scim *scimpush.Client

	mu          sync.Mutex
	queues      map[string]*queue // by app id
	tasks       map[string]*Task  // by task id
	seq         int
	transcripts map[string]*scimpush.Transcript // by app id
	wake        chan struct{}                   // closed and replaced on every task state change
	ctx         context.Context                 // cancelled by Close
	cancel      context.CancelFunc
}

// New returns an Engine; it fails only on a missing directory.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if cfg.Directory == nil {
		return nil, errors.New("provisioner config: Directory is required")
	}
	e := &Engine{cfg: cfg, dir: cfg.Directory, queues: map[string]*queue{}, tasks: map[string]*Task{},
		transcripts: map[string]*scimpush.Transcript{}, wake: make(chan struct{})}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.scim = scimpush.New(scimpush.Config{HTTPClient: cfg.HTTPClient, Logger: cfg.Logger, Rand: cfg.Rand,
		Now: cfg.Now, Sleep: e.sleep})
	return e, nil
}

// Close stops the engine: running tasks are cancelled (and fail), queued ones stay queued.
func (e *Engine) Close() { e.cancel() }

// sleep is the SCIM client's wait after a 429: the running task shows RateLimited until the wait ends.
func (e *Engine) sleep(ctx context.Context, d time.Duration) error {
	id, _ := ctx.Value(taskKey{}).(string)
	e.setStatus(id, func(t *Task) {
		t.Status, t.RetryAt = StatusRateLimited, e.cfg.Now().Add(d)
		t.RateLimits++
	})
	sleep := e.cfg.Sleep
	if sleep == nil {
		sleep = realSleep
	}
	err := sleep(ctx, d)
	e.setStatus(id, func(t *Task) { t.Status, t.RetryAt = StatusRunning, time.Time{} })
	return err
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type taskKey struct{}

// transcript returns the app's transcript, creating it.
func (e *Engine) transcript(appID string) *scimpush.Transcript {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.transcripts[appID]
	if !ok {
		t = &scimpush.Transcript{}
		e.transcripts[appID] = t
	}
	return t
}

// Transcript returns the SCIM exchanges with an app, oldest first, secrets redacted.
func (e *Engine) Transcript(appID string) []scimpush.Exchange { return e.transcript(appID).Exchanges() }
