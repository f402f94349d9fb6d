package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/pushload"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
)

const pushUsage = `usage: mockidp push --url URL --token-file FILE --users N [--groups G] [--flavour oin|aiw]
                    [--concurrency C] [--auth bearer|header|basic] [--username U]

  Pushes N generated users (then G groups with the users as members) to a SCIM server exactly as the mock
  Okta's provisioning engine does (F(u) then POST; 429 waits as Okta's), and ends with a summary line and
  one JSON line: users, groups, requests, errors by class, users_per_sec, p50_ms, p99_ms,
  retries_after_429.
`

// runPush is `mockidp push`.
func runPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg pushload.Config
	var tokenFile, flavour, auth string
	fs := flag.NewFlagSet("push", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.URL, "url", "", "")
	fs.StringVar(&tokenFile, "token-file", "", "")
	fs.IntVar(&cfg.Users, "users", 0, "")
	fs.IntVar(&cfg.Groups, "groups", 0, "")
	fs.StringVar(&flavour, "flavour", "oin", "")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "")
	fs.StringVar(&auth, "auth", "bearer", "")
	fs.StringVar(&cfg.Username, "username", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, pushUsage)
			return nil
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if flavour != "oin" && flavour != "aiw" {
		return fmt.Errorf("%w: --flavour must be oin or aiw", errUsage)
	}
	if tokenFile == "" {
		return fmt.Errorf("%w: --token-file is required", errUsage)
	}
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("push: read token: %w", err)
	}
	cfg.Token = strings.TrimSpace(string(tok))
	cfg.Flavour, cfg.Auth = scimpush.Flavour(flavour), scimpush.Auth(auth)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if isTerminal(stderr) {
		cfg.Progress = func(done, total int) {
			if done == total || done%50 == 0 {
				fmt.Fprintf(stderr, "\r%s %d/%d", bar(done, total, 30), done, total)
			}
		}
	}
	rep, err := pushload.Run(ctx, cfg)
	if cfg.Progress != nil {
		fmt.Fprintln(stderr)
	}
	fmt.Fprintln(stdout, rep.Summary())
	line, jerr := json.Marshal(rep)
	if jerr != nil {
		return jerr
	}
	fmt.Fprintln(stdout, string(line))
	return err
}

func bar(done, total, width int) string {
	n := width * done / max(total, 1)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// isTerminal reports whether w is a character device (a terminal), where a progress bar makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
