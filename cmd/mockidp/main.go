// Command mockidp runs the mock Okta.
//
//	mockidp serve --addr 127.0.0.1:8080 --config fixtures/orgs/example.yaml [--state mock.json]
//	              [--domain okta.test] [--base-url URL] [--print-json]
//	mockidp push --url URL --token-file F --users N [--groups G] [--flavour oin|aiw] [--concurrency C]
//
// push is the load mode (package pushload): it pushes generated users and groups to any SCIM server the
// way the mock's provisioning engine does and ends with a summary and one JSON line.
//
// It loads the fixture (and, with --state, the saved state first: orgs found in the state file are
// restored from it, the fixture adds only the orgs the state lacks), listens, prints for each org its
// base URL, OIDC discovery URLs, SAML metadata URLs, app client credentials, console URL and password,
// management API token and test users (fixture passwords included: this is a development mock; with
// --print-json the same as one JSON document), logs to stderr and shuts down gracefully on SIGINT or
// SIGTERM, saving the state one last time.
//
// With --domain D orgs are host-based: org acme is http://acme.D:PORT (map the names to 127.0.0.1, e.g.
// in /etc/hosts); without it they are path-based: http://ADDR/acme.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/fixture"
)

const usage = `usage: mockidp serve --addr HOST:PORT --config FILE [--state FILE] [--domain DOMAIN]
                     [--base-url URL] [--print-json]

  --addr        address to listen on, e.g. 127.0.0.1:8080 (required)
  --config      YAML fixture with the orgs to create (format: package mockidp/fixture)
                (required unless --state names an existing file)
  --state       JSON file the mock's state is saved to after every change and restored from at start
  --domain      serve orgs host-based at {org}.DOMAIN (e.g. okta.test); default: path-based {base}/{org}
  --base-url    URL the mock is reached at (default http://ADDR)
  --print-json  print the org summary as JSON instead of text

       mockidp push --url URL --token-file FILE --users N [--groups G] [--flavour oin|aiw] [--concurrency C]
                    (mockidp push -h)
`

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "mockidp: %v\n\n%s", err, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintf(os.Stderr, "mockidp: %v\n", err)
		os.Exit(1)
	}
}

// serveConfig is what the serve flags say.
type serveConfig struct {
	addr, config, baseURL, state, domain string
	printJSON                            bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "push" {
		return runPush(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("%w: expected the serve or push command", errUsage)
	}
	cfg, err := parseServe(args[1:])
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return serve(ctx, cfg, logger, stdout, nil)
}

func parseServe(args []string) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.addr, "addr", "", "")
	fs.StringVar(&c.config, "config", "", "")
	fs.StringVar(&c.baseURL, "base-url", "", "")
	fs.StringVar(&c.state, "state", "", "")
	fs.StringVar(&c.domain, "domain", "", "")
	fs.BoolVar(&c.printJSON, "print-json", false, "")
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case c.addr == "":
		return c, fmt.Errorf("%w: --addr is required", errUsage)
	case c.config == "" && c.state == "":
		return c, fmt.Errorf("%w: --config is required (or --state with a saved state)", errUsage)
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	return c, nil
}

// serve runs until ctx is done. ready, if not nil, receives the listener
// address once the server accepts connections (used by tests).
func serve(ctx context.Context, c serveConfig, logger *slog.Logger, stdout io.Writer, ready chan<- string) error {
	idp, err := mockidp.New(mockidp.Config{BaseURL: c.baseURL, Logger: logger, Domain: c.domain, StateFile: c.state})
	if err != nil {
		return err
	}
	f, err := load(ctx, idp, c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	if err := printOrgs(stdout, idp, f, c.printJSON); err != nil {
		return err
	}
	logger.InfoContext(ctx, "mockidp listening", "addr", ln.Addr().String(), "base_url", c.baseURL)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return idp.Flush()
}

// load restores the state file (if any) and creates the fixture's orgs the state lacks. It returns the
// fixture (empty without --config) for the passwords it names.
func load(ctx context.Context, idp *mockidp.Server, c serveConfig) (*fixture.File, error) {
	if c.state != "" {
		if _, err := idp.LoadState(ctx, c.state); err != nil {
			return nil, err
		}
	}
	f := &fixture.File{}
	if c.config != "" {
		var err error
		if f, err = fixture.Load(c.config); err != nil {
			return nil, err
		}
	}
	missing := &fixture.File{}
	for _, o := range f.Orgs {
		if _, exists := idp.Org(o.Name); !exists {
			missing.Orgs = append(missing.Orgs, o)
		}
	}
	if err := idp.LoadFixture(ctx, missing); err != nil {
		return nil, err
	}
	if err := idp.Flush(); err != nil { // the state file exists from the start
		return nil, err
	}
	return f, nil
}
