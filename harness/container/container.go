// Package container starts an app's container image as a target for the specs, through
// testcontainers-go: a partner's SCIM server as they ship it, or our own refapp image. It owns the
// container's whole life: a Docker health check first (testcontainers' own error for a missing daemon
// is cryptic), the image pulled once when it is not on the host, the container run with host networking
// (every port is a port of this machine's loopback, nothing goes over a bridge), readiness over HTTP
// with a deadline, the container's log kept, and removal on Close, which callers defer so that it also
// happens on failure and on Ctrl-C (ctx cancelled).
//
// A start that fails says why in plain words and carries the container's last log lines: the daemon did
// not answer (NoDaemonError), or the image could not be pulled, exited before it was ready, or never
// answered (StartError, whose Log is the whole log).
//
//	c, err := container.Start(ctx, container.Config{Image: "acme/scim:1.4", Port: 8080, ReadyPath: "/healthz",
//		Env: map[string]string{"SCIM_TOKEN": tok}})
//	if err != nil { ... }
//	defer c.Close(context.WithoutCancel(ctx))
//	resp, err := http.Get(c.BaseURL + "/scim/v2/Users")
//
// A partner's `go test` gets a harness.SCIMTarget for an image with StartSCIM (scim.go). Where the
// testcontainers reaper image cannot be pulled (no registry), set TESTCONTAINERS_RYUK_DISABLED=true:
// Close removes the container itself.
package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
)

// Config says which image to start and how to tell it is ready.
type Config struct {
	// Image is the image reference, e.g. "ssoconform/refapp:0.1.0". Required. An image that is not on
	// the Docker host is pulled once.
	Image string
	// Port is the port the app listens on. Containers run with host networking, so it is a port of this
	// machine, reached at 127.0.0.1; it must be free. The container also gets it as PORT (the common
	// convention), unless Env sets PORT. Default: 0, a free port chosen at start.
	Port int
	// Env is the container's environment, added to the image's. Default: none (PORT only).
	Env map[string]string
	// Cmd replaces the image's command (its CMD; the ENTRYPOINT stays). Default: the image's.
	Cmd []string
	// ReadyPath is where readiness is asked: the app is ready when GET http://127.0.0.1:Port{ReadyPath}
	// answers with any status below 500. Default: "/".
	ReadyPath string
	// StartTimeout bounds the pull, the start and the wait for readiness. Default: 60 s.
	StartTimeout time.Duration
	// StopTimeout is how long the app gets to stop after SIGTERM before it is killed. Default: 10 s.
	StopTimeout time.Duration
	// Labels are added to the container's labels (org.ssoconform.port always is). Default: none.
	Labels map[string]string
	// LogLines is how many of the container's last log lines a StartError shows. Default: 20.
	LogLines int
	// HTTPClient asks for readiness. Default: a client with a 2 s timeout that ignores proxies.
	HTTPClient *http.Client
	// Logger receives progress and testcontainers' own messages (at debug). Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.ReadyPath == "" {
		c.ReadyPath = "/"
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = 60 * time.Second
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = 10 * time.Second
	}
	if c.LogLines == 0 {
		c.LogLines = 20
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a configuration that cannot be started.
func (c Config) Validate() error {
	switch {
	case strings.TrimSpace(c.Image) == "":
		return errors.New("container: Image is required")
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("container: port %d is not a TCP port", c.Port)
	case c.ReadyPath != "" && !strings.HasPrefix(c.ReadyPath, "/"):
		return fmt.Errorf("container: ready path %q must start with /", c.ReadyPath)
	case c.StartTimeout < 0 || c.StopTimeout < 0:
		return errors.New("container: timeouts must not be negative")
	}
	return nil
}

// Container is a started container, ready on BaseURL.
type Container struct {
	// Image is the image it runs.
	Image string
	// ID is Docker's container ID.
	ID string
	// BaseURL is where the app answers: http://127.0.0.1:Port.
	BaseURL string
	// Port is the loopback port it listens on.
	Port int

	ctr     *testcontainers.DockerContainer
	stop    time.Duration
	logger  *slog.Logger
	once    sync.Once
	closeEr error
}

// Start checks that a Docker daemon answers, starts cfg's image with host networking and waits until
// it is ready. Every error leaves nothing behind: the container, if one was created, is removed.
func Start(ctx context.Context, cfg Config) (*Container, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := Health(ctx); err != nil {
		return nil, err
	}
	port, chosen, err := loopbackPort(cfg.Port)
	if err != nil {
		return nil, err
	}
	p, err := testcontainers.NewDockerProvider(testcontainers.WithDefaultBridgeNetwork("host"),
		testcontainers.WithLogger(tcLogger{cfg.Logger}))
	if err != nil {
		return nil, &NoDaemonError{Host: dockerHost(), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	if err := ensureImage(ctx, p.Client(), cfg.Image, cfg.Logger); err != nil {
		p.Close()
		return nil, err
	}
	env := maps.Clone(cfg.Env)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["PORT"]; !ok {
		env["PORT"] = strconv.Itoa(port)
	}
	labels := maps.Clone(cfg.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels["org.ssoconform.port"] = strconv.Itoa(port)
	ready := &readiness{url: fmt.Sprintf("http://127.0.0.1:%d%s", port, cfg.ReadyPath), client: cfg.HTTPClient,
		poll: 100 * time.Millisecond}
	req := testcontainers.ContainerRequest{Image: cfg.Image, Env: env, Cmd: cfg.Cmd, Labels: labels, WaitingFor: ready,
		HostConfigModifier: func(hc *container.HostConfig) { hc.NetworkMode = "host" }}
	cfg.Logger.InfoContext(ctx, "starting container", slog.String("image", cfg.Image), slog.Int("port", port),
		slog.String("ready", ready.url))
	created, err := p.CreateContainer(ctx, req)
	ctr, _ := created.(*testcontainers.DockerContainer)
	if err != nil && ctr == nil {
		p.Close()
		return nil, &StartError{Image: cfg.Image, ReadyURL: ready.url, Reason: "could not be created: " + err.Error(), ExitCode: -1, Err: err}
	}
	c := &Container{Image: cfg.Image, ID: ctr.GetContainerID(), BaseURL: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port,
		ctr: ctr, stop: cfg.StopTimeout, logger: cfg.Logger}
	if err == nil {
		err = ctr.Start(ctx)
	}
	if err != nil {
		return nil, c.startFailed(ctx, cfg, err, ready, chosen)
	}
	cfg.Logger.InfoContext(ctx, "container ready", slog.String("image", cfg.Image), slog.String("id", short(c.ID)),
		slog.String("url", c.BaseURL))
	return c, nil
}

// startFailed turns a failed start into a StartError with the container's log, and removes it.
func (c *Container) startFailed(ctx context.Context, cfg Config, err error, ready *readiness, chosenPort bool) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	se := &StartError{Image: cfg.Image, ReadyURL: ready.url, Err: err, ExitCode: -1, Created: true}
	var exited *exitedError
	switch {
	case errors.As(err, &exited):
		se.Reason, se.ExitCode = exited.Error(), exited.code
	case errors.Is(err, context.DeadlineExceeded):
		se.Reason = fmt.Sprintf("did not answer GET %s below 500 within %s (last: %s)", ready.url, cfg.StartTimeout, ready.lastSeen())
		if chosenPort {
			se.Reason += fmt.Sprintf("; it was given PORT=%d: an image that listens on a fixed port needs that port set", c.Port)
		}
	case errors.Is(err, context.Canceled):
		se.Reason = "was interrupted before it was ready"
	default:
		se.Reason = "could not be started: " + err.Error()
	}
	se.Log, _ = c.Logs(cleanup)
	se.LogTail = lastLines(se.Log, cfg.LogLines)
	if cerr := c.Close(cleanup); cerr != nil {
		se.Err = errors.Join(err, cerr)
	}
	return se
}

// Logs returns everything the container wrote so far, standard output and error interleaved.
func (c *Container) Logs(ctx context.Context) ([]byte, error) {
	rc, err := c.ctr.Logs(ctx)
	if err != nil {
		return nil, fmt.Errorf("container %s logs: %w", short(c.ID), err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rc); err != nil {
		return buf.Bytes(), fmt.Errorf("container %s logs: %w", short(c.ID), err)
	}
	return buf.Bytes(), nil
}

// Close stops the container (SIGTERM, then SIGKILL after Config.StopTimeout) and removes it with its
// anonymous volumes. It is safe to call more than once; later calls return the first result. Pass a
// context that is not already cancelled (context.WithoutCancel) when closing after an interrupt.
func (c *Container) Close(ctx context.Context) error {
	c.once.Do(func() {
		err := c.ctr.Terminate(ctx, testcontainers.StopTimeout(c.stop))
		if err != nil {
			c.closeEr = fmt.Errorf("remove container %s (%s): %w", short(c.ID), c.Image, err)
			return
		}
		c.logger.InfoContext(ctx, "container removed", slog.String("image", c.Image), slog.String("id", short(c.ID)))
	})
	return c.closeEr
}

// StartError says why a container did not get ready, with what it logged.
type StartError struct {
	Image    string
	ReadyURL string
	// Reason is the plain-words cause: "exited with status 1 before it was ready", ...
	Reason string
	// ExitCode is the container's exit status when it exited; -1 otherwise.
	ExitCode int
	// Created says a container was created (and since removed); only then are there logs.
	Created bool
	// Log is everything the container wrote; LogTail its last lines.
	Log     []byte
	LogTail []string
	Err     error
}

func (e *StartError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "image %s %s", e.Image, e.Reason)
	if !e.Created {
		return b.String()
	}
	if len(e.LogTail) == 0 {
		b.WriteString("; it wrote no log")
		return b.String()
	}
	fmt.Fprintf(&b, "; its last %d log lines:", len(e.LogTail))
	for _, l := range e.LogTail {
		b.WriteString("\n  | " + l)
	}
	return b.String()
}

func (e *StartError) Unwrap() error { return e.Err }

// loopbackPort returns port, or a free one when port is 0 (chosen true), and refuses a port something
// already answers on: it would take the readiness check and the specs' requests.
func loopbackPort(port int) (int, bool, error) {
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, false, fmt.Errorf("container: find a free port: %w", err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port, true, nil
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err == nil {
		conn.Close()
		return 0, false, fmt.Errorf("port %d on 127.0.0.1 is already in use: the container shares this machine's network, so "+
			"whatever listens there would answer instead of it; stop it or choose another port", port)
	}
	return port, false, nil
}

// lastLines is the last n non-empty lines of log.
func lastLines(log []byte, n int) []string {
	var lines []string
	for l := range strings.SplitSeq(strings.ReplaceAll(string(log), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines[max(0, len(lines)-n):]
}

func short(id string) string { return id[:min(len(id), 12)] }

// tcLogger hands testcontainers' messages to slog at debug level.
type tcLogger struct{ l *slog.Logger }

func (t tcLogger) Printf(format string, v ...any) {
	t.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), slog.String("from", "testcontainers"))
}
