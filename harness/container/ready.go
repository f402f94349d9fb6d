package container

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go/wait"
)

// readiness is the HTTP wait strategy: GET url until it answers below 500, failing at once when the
// container stops running. testcontainers' own wait.ForHTTP asks the daemon's address (a bridge
// gateway when this process runs in a container) and says only "deadline exceeded"; this one asks
// 127.0.0.1 and remembers the last answer for the error.
type readiness struct {
	url    string
	client *http.Client
	poll   time.Duration

	mu   sync.Mutex
	last string
}

var _ wait.Strategy = (*readiness)(nil)

func (r *readiness) String() string { return "HTTP GET " + r.url + " below 500" }

// WaitUntilReady implements wait.Strategy; ctx carries the start deadline.
func (r *readiness) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	r.seen("no answer yet")
	for {
		state, err := target.State(ctx)
		if err != nil {
			return fmt.Errorf("container state: %w", err)
		}
		if !state.Running {
			return &exitedError{code: state.ExitCode, status: string(state.Status), oom: state.OOMKilled}
		}
		if r.probe(ctx) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.poll):
		}
	}
}

// probe asks once and reports whether the answer means ready.
func (r *readiness) probe(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		r.seen(err.Error())
		return false
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() == nil { // a request cut by the deadline says nothing about the app
			r.seen(err.Error())
		}
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	r.seen(resp.Status)
	return resp.StatusCode < 500
}

func (r *readiness) seen(s string) { r.mu.Lock(); r.last = s; r.mu.Unlock() }

func (r *readiness) lastSeen() string { r.mu.Lock(); defer r.mu.Unlock(); return r.last }

// exitedError: the container stopped before it was ready.
type exitedError struct {
	code   int
	status string
	oom    bool
}

func (e *exitedError) Error() string {
	switch {
	case e.oom:
		return "was killed for lack of memory (OOM) before it was ready"
	case e.status == "exited" || e.status == "dead":
		return fmt.Sprintf("exited with status %d before it was ready", e.code)
	default:
		return fmt.Sprintf("stopped running (%s) before it was ready", e.status)
	}
}
