// Command refapp runs the ssoconform reference app and administers it.
//
//	refapp serve --addr 127.0.0.1:8080 --db sqlite:refapp.db --base-url http://app.test:8080
//	refapp org create --db sqlite:refapp.db --name acme --plan pro --admin-email a@acme.test --admin-password-file pw.txt
//	refapp org plan --db sqlite:refapp.db --org acme --plan free   (support: change the plan)
//	refapp apikey create --db sqlite:refapp.db --org acme --scopes scim [--owner admin@acme.test]
//	refapp sso set --db sqlite:refapp.db --org acme --protocol oidc --metadata-url URL --client-id ID \
//	    --client-secret-file secret.txt --default-role member --sync
//	refapp sso set --db sqlite:refapp.db --org acme --protocol saml --metadata-url URL --default-role member --enforce
//	refapp sso show --db sqlite:refapp.db --org acme --base-url http://app.test:8080
//	refapp sso reset --db sqlite:refapp.db --org acme [--disconnect]   (support: lift "Require SSO")
//	refapp member add --db sqlite:refapp.db --org acme --email b@acme.test --role member --password-file - [--invite]
//	refapp member remove|role|list --db sqlite:refapp.db --org acme [--email E] [--role R]
//
// Secrets are read from files, or from standard input when the file is "-";
// never from the command line. For containers, serve also takes its flags from the environment (PORT,
// REFAPP_DB, ...) and a bootstrap document (REFAPP_BOOTSTRAP) that makes organizations, SCIM keys and
// SSO ready at start without a shell (bootstrap.go, `refapp serve -h`). Exit status: 0 ok, 1 failure, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks a command line that could not be understood (exit status 2).
var errUsage = errors.New("usage error")

const usage = `usage:
  refapp serve --addr HOST:PORT --db sqlite:PATH --base-url URL [--log-level debug|info|warn|error]
               [--scim-rate-limit N] [--scim-rate-burst N] [--smtp-url smtp://HOST:PORT] [--mail-from ADDR]
  refapp org create --db sqlite:PATH --name NAME --plan free|pro|enterprise --admin-email EMAIL --admin-password-file FILE|-
  refapp org plan --db sqlite:PATH --org NAME --plan free|pro|enterprise
  refapp apikey create --db sqlite:PATH --org NAME --scopes scim[,org:read,org:write] [--owner EMAIL]
  refapp sso set --db sqlite:PATH --org NAME --protocol oidc --metadata-url URL --client-id ID --client-secret-file FILE|- --default-role admin|member|viewer [--sync] [--enforce]
  refapp sso set --db sqlite:PATH --org NAME --protocol saml --metadata-url URL [--entity-id ID] --default-role admin|member|viewer [--sync] [--enforce]
  refapp sso show --db sqlite:PATH --org NAME --base-url URL
  refapp sso reset --db sqlite:PATH --org NAME [--disconnect]
  refapp member add --db sqlite:PATH --org NAME --email EMAIL [--name NAME] [--role admin|member|viewer] [--password-file FILE|-] [--invite]
  refapp member remove --db sqlite:PATH --org NAME --email EMAIL
  refapp member role --db sqlite:PATH --org NAME --email EMAIL --role admin|member|viewer
  refapp member list --db sqlite:PATH --org NAME

Secrets are read from a file, or from standard input when FILE is "-".
--owner makes a personal key (its owner must be an admin for SCIM). --sync turns on
"Sync the group & users from your SSO provider", without which SCIM answers 403.
--scim-rate-limit is SCIM requests per second per API key before 429 (default 10000).
serve also takes its flags from the environment (PORT, REFAPP_DB, ...) and a bootstrap document that
makes organizations, SCIM keys and SSO ready at start, for containers: see refapp serve -h.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "refapp:", err)
		os.Exit(1)
	}
}

// run executes one command line. Usage errors are reported on stderr and
// returned wrapping errUsage; other errors are returned for main to print.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr(stderr, "no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, os.LookupEnv, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(rest) == 0 {
		return usageErr(stderr, fmt.Sprintf("unknown command %q", cmd))
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd + " " + rest[0] {
	case "org create":
		return c.orgCreate(ctx, rest[1:])
	case "org plan":
		return c.orgPlan(ctx, rest[1:])
	case "apikey create":
		return c.apikeyCreate(ctx, rest[1:])
	case "sso set":
		return c.ssoSet(ctx, rest[1:])
	case "sso show":
		return c.ssoShow(ctx, rest[1:])
	case "sso reset":
		return c.ssoReset(ctx, rest[1:])
	case "member add":
		return c.memberAdd(ctx, rest[1:])
	case "member remove":
		return c.memberRemove(ctx, rest[1:])
	case "member role":
		return c.memberRole(ctx, rest[1:])
	case "member list":
		return c.memberList(ctx, rest[1:])
	}
	return usageErr(stderr, fmt.Sprintf("unknown command %q", cmd+" "+rest[0]))
}

// usageErr prints msg and the usage text and returns an errUsage.
func usageErr(stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "refapp: %s\n\n%s", msg, usage)
	return fmt.Errorf("%s: %w", msg, errUsage)
}
