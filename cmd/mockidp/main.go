// Command mockidp runs the mock Okta.
//
//	mockidp serve --addr 127.0.0.1:8080 --config fixtures/orgs/example.yaml [--base-url URL]
//
// It loads the fixture, listens, prints each org's URLs, app credentials and
// test users (fixture passwords included: this is a development mock), logs
// to stderr and shuts down gracefully on SIGINT or SIGTERM.
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

const usage = `usage: mockidp serve --addr HOST:PORT --config FILE [--base-url URL]

  --addr      address to listen on, e.g. 127.0.0.1:8080 (required)
  --config    YAML fixture with the orgs to create (format: package mockidp/fixture) (required)
  --base-url  URL the mock is reached at (default http://ADDR)
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
	addr, config, baseURL string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("%w: expected the serve command", errUsage)
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
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case c.addr == "":
		return c, fmt.Errorf("%w: --addr is required", errUsage)
	case c.config == "":
		return c, fmt.Errorf("%w: --config is required", errUsage)
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	return c, nil
}

// serve runs until ctx is done. ready, if not nil, receives the listener
// address once the server accepts connections (used by tests).
func serve(ctx context.Context, c serveConfig, logger *slog.Logger, stdout io.Writer, ready chan<- string) error {
	f, err := fixture.Load(c.config)
	if err != nil {
		return err
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: c.baseURL, Logger: logger})
	if err != nil {
		return err
	}
	if err := idp.LoadFixture(ctx, f); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	printOrgs(stdout, idp, f)
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
	return nil
}

// printOrgs tells a developer how to point an app at each org.
func printOrgs(w io.Writer, idp *mockidp.Server, f *fixture.File) {
	passwords := map[string]string{} // org/login -> password
	for _, fo := range f.Orgs {
		for _, u := range fo.Users {
			passwords[fo.Name+"/"+u.Login] = u.Password
		}
	}
	for _, org := range idp.Orgs() {
		fmt.Fprintf(w, "org %s\n  base URL (issuer): %s\n  discovery:         %s\n", org.Name(), org.BaseURL(), org.DiscoveryURL())
		for _, a := range org.Apps() {
			fmt.Fprintf(w, "  app %q\n    client id:     %s\n    client secret: %s\n", a.Label, a.ClientID, a.ClientSecret)
			for _, r := range a.RedirectURIs {
				fmt.Fprintf(w, "    redirect URI:  %s\n", r)
			}
		}
		fmt.Fprintf(w, "  users:\n")
		for _, u := range org.Users() {
			fmt.Fprintf(w, "    %-30s password: %s\n", u.Login, passwords[org.Name()+"/"+u.Login])
		}
	}
}
