package container

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ssoconform/ssoconform/harness"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	auth := "Bearer t"
	tests := []struct {
		name    string
		target  harness.SCIMTarget
		want    harness.SCIMTarget
		wantErr string
	}{
		{"empty is the default path", harness.SCIMTarget{Authorization: auth},
			harness.SCIMTarget{BaseURL: "http://127.0.0.1:8080/scim/v2", Authorization: auth}, ""},
		{"a path", harness.SCIMTarget{BaseURL: "/api/scim/v2/"},
			harness.SCIMTarget{BaseURL: "http://127.0.0.1:8080/api/scim/v2"}, ""},
		{"an absolute URL stays", harness.SCIMTarget{BaseURL: "https://scim.example.com/v2"},
			harness.SCIMTarget{BaseURL: "https://scim.example.com/v2"}, ""},
		{"second and throttled follow", harness.SCIMTarget{BaseURL: "/scim/v2", Second: &harness.SCIMTarget{BaseURL: "/t2/scim/v2", Authorization: "b"},
			Throttled: &harness.SCIMTarget{Authorization: "c"}},
			harness.SCIMTarget{BaseURL: "http://127.0.0.1:8080/scim/v2", Second: &harness.SCIMTarget{BaseURL: "http://127.0.0.1:8080/t2/scim/v2", Authorization: "b"},
				Throttled: &harness.SCIMTarget{BaseURL: "http://127.0.0.1:8080/scim/v2", Authorization: "c"}}, ""},
		{"a relative path without a slash", harness.SCIMTarget{BaseURL: "scim/v2"}, harness.SCIMTarget{}, "must be absolute or a path starting with /"},
		{"a bad second", harness.SCIMTarget{Second: &harness.SCIMTarget{BaseURL: "ftp://x/scim"}}, harness.SCIMTarget{}, "second scim target"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve("http://127.0.0.1:8080", tc.target)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve = %v, want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Resolve (-want +got):\n%s", d)
			}
		})
	}
	in := harness.SCIMTarget{Second: &harness.SCIMTarget{BaseURL: "/x"}}
	if _, err := Resolve("http://127.0.0.1:8080", in); err != nil || in.Second.BaseURL != "/x" {
		t.Errorf("Resolve changed the caller's Second: %q, %v", in.Second.BaseURL, err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no image", Config{}, "Image is required"},
		{"port out of range", Config{Image: "x", Port: 70000}, "not a TCP port"},
		{"ready path without slash", Config{Image: "x", ReadyPath: "healthz"}, "must start with /"},
		{"negative timeout", Config{Image: "x", StartTimeout: -time.Second}, "must not be negative"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := (Config{Image: "x", Port: 8080, ReadyPath: "/healthz"}).Validate(); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
}

// fakeTarget is a container whose state the test sets.
type fakeTarget struct {
	wait.StrategyTarget
	state atomic.Pointer[container.State]
}

func (f *fakeTarget) State(context.Context) (*container.State, error) { return f.state.Load(), nil }

func TestReadiness(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := asked.Add(1)
		switch {
		case r.URL.Path == "/down":
			http.Error(w, "starting", http.StatusServiceUnavailable)
		case r.URL.Path == "/ready" && n < 3:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		case r.URL.Path == "/ready":
			w.WriteHeader(http.StatusNotFound) // any answer below 500 is an app that runs
		}
	}))
	defer srv.Close()
	running := &fakeTarget{}
	running.state.Store(&container.State{Running: true, Status: "running"})

	r := &readiness{url: srv.URL + "/ready", client: srv.Client(), poll: time.Millisecond}
	if err := r.WaitUntilReady(context.Background(), running); err != nil {
		t.Fatalf("WaitUntilReady = %v", err)
	}
	if asked.Load() != 3 {
		t.Errorf("asked %d times, want 3 (two 503s, then ready)", asked.Load())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	down := &readiness{url: srv.URL + "/down", client: srv.Client(), poll: time.Millisecond}
	if err := down.WaitUntilReady(ctx, running); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitUntilReady(always 503) = %v, want the deadline", err)
	}
	if got := down.lastSeen(); got != "503 Service Unavailable" {
		t.Errorf("last seen = %q, want the 503", got)
	}

	for _, tc := range []struct {
		state container.State
		want  string
	}{
		{container.State{Status: "exited", ExitCode: 3}, "exited with status 3 before it was ready"},
		{container.State{Status: "exited", OOMKilled: true, ExitCode: 137}, "killed for lack of memory"},
		{container.State{Status: "paused"}, "stopped running (paused)"},
	} {
		stopped := &fakeTarget{}
		stopped.state.Store(&tc.state)
		err := (&readiness{url: srv.URL + "/ready", client: srv.Client(), poll: time.Millisecond}).WaitUntilReady(context.Background(), stopped)
		var ex *exitedError
		if !errors.As(err, &ex) || err.Error() != tc.want && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("state %+v: WaitUntilReady = %v, want %q", tc.state, err, tc.want)
		}
	}
}

func TestStartErrorText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  StartError
		want string
	}{
		{StartError{Image: "acme/scim:1", Reason: "exited with status 2 before it was ready", Created: true,
			LogTail: []string{"starting", "panic: no database"}},
			"image acme/scim:1 exited with status 2 before it was ready; its last 2 log lines:\n  | starting\n  | panic: no database"},
		{StartError{Image: "acme/scim:1", Reason: "exited with status 0 before it was ready", Created: true},
			"image acme/scim:1 exited with status 0 before it was ready; it wrote no log"},
		{StartError{Image: "acme/scim:1", Reason: "is not on this Docker host and could not be pulled (x)"},
			"image acme/scim:1 is not on this Docker host and could not be pulled (x)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() =\n%s\nwant\n%s", got, tc.want)
		}
	}
	if got := lastLines([]byte("a\n\nb\r\nc\n  \nd\n"), 3); !cmp.Equal(got, []string{"b", "c", "d"}) {
		t.Errorf("lastLines = %q", got)
	}
}

// TestNoDaemon: with no daemon at DOCKER_HOST, Health and Start say so in plain words at once.
func TestNoDaemon(t *testing.T) {
	host := "unix://" + filepath.Join(t.TempDir(), "docker.sock")
	t.Setenv("DOCKER_HOST", host)
	var nd *NoDaemonError
	if err := Health(context.Background()); !errors.As(err, &nd) || err.Error() != "no Docker daemon answered at "+host {
		t.Fatalf("Health = %v, want no daemon at %s", err, host)
	}
	c, err := Start(context.Background(), Config{Image: "ssoconform/refapp:0"})
	if !errors.As(err, &nd) || c != nil {
		t.Errorf("Start = %v, %v; want no daemon", c, err)
	}
}

func TestLoopbackPortRefusesAPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if _, _, err := loopbackPort(port); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("loopbackPort(in use) = %v", err)
	}
	got, chosen, err := loopbackPort(0)
	if err != nil || got == 0 || !chosen {
		t.Errorf("loopbackPort(0) = %d, %v, %v", got, chosen, err)
	}
}
