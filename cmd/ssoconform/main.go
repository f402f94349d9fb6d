// Command ssoconform runs the conformance specs and starts the reference stack.
//
//	ssoconform stack --refapp-bin bin/refapp --config fixtures/orgs/example.yaml
//
// `stack` starts the mock Okta (loading the fixture's orgs), refapp connected to each org over OIDC and
// provisioned by the mock's SCIM client, and a mail sink; it prints URLs and credentials and runs until
// interrupted. Exit codes: 0 success, 1 failure, 2 usage error, 3 the run could not start (e.g. scim
// --image without a Docker daemon).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ssoconform/ssoconform/internal/version"
)

// errUsage marks command-line mistakes (exit code 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var cr cannotRun
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.As(err, &cr):
		fmt.Fprintln(os.Stderr, "ssoconform:", err)
		os.Exit(3)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ssoconform:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "stack":
		return runStack(ctx, args[1:], stdout, stderr)
	case "scim":
		return runSCIM(ctx, args[1:], stdout, stderr)
	case "list":
		return runList(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "ssoconform", version.String())
		return nil
	case "sso":
		return runSSO(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "ssoconform: unknown command %q\n%s\n", args[0], usage)
		return errUsage
	}
}

const usage = `usage: ssoconform COMMAND [flags]

commands:
  stack   start the reference stack (mock Okta + refapp + mail sink) for a developer
  scim    run the SCIM conformance specs against any SCIM server (ssoconform scim -h)
  list    list the SCIM specs: ID, level, profiles, requirement, reference (ssoconform list -h)
  version print the version (also --version)
  sso     run the SSO catalogue (sign-in and every bad-IdP refusal) against any app (ssoconform sso -h)`

// parseFlags parses args into fs, printing usage problems to stderr and mapping them to errUsage.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %q\n", fs.Args())
		return errUsage
	}
	return nil
}
