package main

// `ssoconform scim --image IMAGE`: the SCIM specs against an app shipped as a container image. The image
// is started through harness/container (testcontainers-go, host networking), --url and --second-url may
// then be paths on it (default /scim/v2), the container's log goes into the report directory as
// container.log (report.html links it), and the container is removed when the run ends, fails or is
// interrupted. Anything that keeps the container from getting ready (no Docker daemon, an image that
// exits at start or never answers) ends the command with exit status 3 and says why, with the
// container's last log lines.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/container"
	"github.com/ssoconform/ssoconform/specs"
)

// containerLog is the container's log in the report directory.
const containerLog = "container.log"

// imageFlags are scim's flags for a target started from an image.
type imageFlags struct {
	name    string
	port    int
	env     envFlag
	ready   string
	timeout time.Duration
}

func (f *imageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "image", "", "start this container image (Docker, host networking) and run the specs against it; --url and --second-url may then be paths on it (default /scim/v2)")
	fs.IntVar(&f.port, "image-port", 0, "port the image listens on, on 127.0.0.1; the container gets it as PORT (default: a free port)")
	fs.Var(&f.env, "image-env", "K=V sets the container's environment variable K (repeatable); K alone passes K's value from this environment, so secrets stay off the command line")
	fs.StringVar(&f.ready, "image-ready", "/", "path that says the container is ready: it answers GET with any status below 500")
	fs.DurationVar(&f.timeout, "image-timeout", 2*time.Minute, "how long the image may take to start and get ready")
}

// checkTarget checks the target the flags describe. With --image its URLs may be paths on the
// container, which does not exist yet: they are checked against a stand-in address.
func (f imageFlags) checkTarget(t harness.SCIMTarget) error {
	if f.name == "" {
		return t.Validate()
	}
	if f.port < 0 || f.port > 65535 || !strings.HasPrefix(f.ready, "/") {
		return fmt.Errorf("--image-port %d, --image-ready %q: want a TCP port and a path starting with /", f.port, f.ready)
	}
	_, err := container.Resolve("http://127.0.0.1:1", t)
	return err
}

// start starts the image when --image is given and points run's target at it. stop writes the
// container's log into the report directory and removes the container; it must run however the run
// ends. Without --image both do nothing.
func (f imageFlags) start(ctx context.Context, run *specs.SCIMRun, stderr io.Writer) (stop func(), err error) {
	if f.name == "" {
		return func() {}, nil
	}
	env, err := f.env.resolve(os.LookupEnv)
	if err != nil {
		return nil, cannotRun{err}
	}
	quietTestcontainers()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	target, c, err := container.StartSCIM(ctx, container.Config{Image: f.name, Port: f.port, Env: env, ReadyPath: f.ready,
		StartTimeout: f.timeout, Labels: map[string]string{"org.ssoconform.started-by": "ssoconform scim"}, Logger: logger}, run.Target)
	var se *container.StartError
	if errors.As(err, &se) && se.Created {
		writeContainerLog(run.ReportDir, se.Log, stderr)
	}
	var nd *container.NoDaemonError
	switch {
	case errors.As(err, &nd):
		return nil, cannotRun{fmt.Errorf("%w; install Docker or run against --url", err)}
	case err != nil:
		return nil, cannotRun{err}
	}
	run.Target = target
	run.Attachments = append(run.Attachments, containerLog)
	return func() {
		// the run may have ended by Ctrl-C: the container is removed regardless
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		log, lerr := c.Logs(cctx)
		writeContainerLog(run.ReportDir, log, stderr)
		if lerr != nil {
			fmt.Fprintf(stderr, "ssoconform: %v\n", lerr)
		}
		if err := c.Close(cctx); err != nil {
			fmt.Fprintf(stderr, "ssoconform: %v; remove it with: docker rm -f %s\n", err, c.ID)
		}
	}, nil
}

func writeContainerLog(dir string, log []byte, stderr io.Writer) {
	if dir == "" {
		dir = "ssoconform-report" // specs.RunSCIM's default
	}
	path := filepath.Join(dir, containerLog)
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(path, log, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ssoconform: write the container log: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "container log: %s\n", path)
}

// quietTestcontainers keeps testcontainers from printing its banner and turns its reaper off unless
// asked for: the reaper is an image pulled from Docker Hub (impossible offline), and the container is
// removed here anyway.
func quietTestcontainers() {
	tclog.SetDefault(tclog.NewNoopLogger())
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// envFlag collects --image-env: K=V, or K alone for K's value in ssoconform's own environment.
type envFlag []string

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (e *envFlag) String() string { return strings.Join(*e, ",") }

// Set checks one K=V or K; the value is never echoed.
func (e *envFlag) Set(s string) error {
	name, _, _ := strings.Cut(s, "=")
	if !envName.MatchString(name) {
		return fmt.Errorf("want K=V or K, with K a variable name (letters, digits, _), got %q", name)
	}
	*e = append(*e, s)
	return nil
}

// resolve turns the flags into the container's environment, reading bare names from lookup.
func (e envFlag) resolve(lookup func(string) (string, bool)) (map[string]string, error) {
	env := map[string]string{}
	for _, s := range e {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			if value, ok = lookup(name); !ok {
				return nil, fmt.Errorf("--image-env %s: %s is not set in this environment", name, name)
			}
		}
		env[name] = value
	}
	return env, nil
}

// cannotRun marks an error that kept the run from happening (exit status 3): the environment or the
// target's start, not the target's conformance.
type cannotRun struct{ err error }

func (c cannotRun) Error() string { return c.err.Error() }
func (c cannotRun) Unwrap() error { return c.err }
