package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/internal/version"
	"github.com/ssoconform/ssoconform/specs"
)

const scimUsage = `usage: ssoconform scim --url URL --token-file FILE [flags]
       ssoconform scim --image IMAGE [--url PATH] --token-file FILE [--image-env K=V ...] [flags]

Point it at a throw-away organization: the run creates users and groups (named with --prefix),
deactivates or deletes them at the end and lists what is left.

Runs the SCIM conformance specs against any SCIM 2.0 server (no reference app, no browser) and writes
junit.xml, report.json and report.html to --report-dir. On a terminal it prints a row per spec as it
ends ("[37/84] SCIM-USR-PATCH-PATHS"; none when the output is a pipe or a file). Ends with one summary:
the verdict (conformant / partial / failed), how each level fared, the failed rules, where the reports
are and "N passed, N failed, N warnings, N skipped".

Every spec has a level: okta (Okta's provisioning or its SPEC test breaks without the rule), must (an
RFC 7643/7644 MUST Okta does not depend on), should (a SHOULD or best practice). The okta-oin and
okta-aiw verdicts count okta failures; must and should failures are listed as warnings. The rfc
verdict counts okta and must failures. Exit status: 0 when no failure counts (warnings, skips and
deviated specs allowed), 1 when one does or a deviation entry is stale, 2 on usage errors, 3 when the
run could not start (a bad --deviations file; --image: no Docker daemon, or the container exited or
never got ready; its last log lines say why).

--image IMAGE starts the server from a container image first (host networking; see --image-*), writes
its log to the report directory as container.log and removes it at the end.

--deviations FILE declares known gaps: a YAML list of entries with id (a spec ID), reason and expires
(YYYY-MM-DD). A listed spec that fails is reported as deviated and does not fail the verdict. The run
fails when a listed spec passes, an entry has expired, or an ID names no spec, so no exemption goes
stale. A file that cannot be read or parsed ends the run at once (exit status 3, with the line).

Profiles: okta-oin (Okta OIN app: PATCH for activation and groups), okta-aiw (Okta App Integration
Wizard app: PUT for everything), rfc (RFC 7643/7644). Optional features (--features, or "all"):
groups, patch, filter-ops, discovery, user-delete, entra-compat, rate-limit; specs needing an undeclared
feature are skipped and reported. Tenant-isolation specs need a second organization (--second-url,
--second-token-file); the rate-limit spec needs a token it may exhaust (--throttle-token-file).

flags:`

type scimFlags struct {
	url, tokenFile, profile, features, authScheme string
	secondURL, secondTokenFile                    string
	throttleTokenFile                             string
	reportDir, labelFilter, focus, prefix         string
	deviations                                    string
	timeout                                       time.Duration
	image                                         imageFlags
}

func runSCIM(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f scimFlags
	fs := flag.NewFlagSet("ssoconform scim", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), scimUsage); fs.PrintDefaults() }
	fs.StringVar(&f.url, "url", "", "SCIM base URL, e.g. https://app.example.com/scim/v2 (required; with --image, a path on the container, default /scim/v2)")
	fs.StringVar(&f.tokenFile, "token-file", "", `file holding the SCIM API token, or "-" for stdin (required)`)
	fs.StringVar(&f.profile, "profile", string(harness.FlavourOktaOIN), "okta-oin, okta-aiw or rfc")
	fs.StringVar(&f.features, "features", "", "comma-separated optional features the server supports, or all")
	fs.StringVar(&f.authScheme, "auth-scheme", "bearer", `"bearer" sends Authorization: Bearer TOKEN; "header" sends the file's content as the whole header value`)
	fs.StringVar(&f.secondURL, "second-url", "", "SCIM base URL of a second organization, for tenant isolation")
	fs.StringVar(&f.secondTokenFile, "second-token-file", "", "file holding the second organization's token")
	fs.StringVar(&f.throttleTokenFile, "throttle-token-file", "", "file holding a token of the same server that the rate-limit spec may exhaust")
	fs.StringVar(&f.reportDir, "report-dir", "ssoconform-report", "directory for junit.xml, report.json and report.html")
	fs.StringVar(&f.labelFilter, "label-filter", "", `Ginkgo label filter narrowing the selection, e.g. 'Kind:Security || Okta:SPEC-Test'`)
	fs.StringVar(&f.focus, "focus", "", "run only specs whose text matches this regular expression, e.g. SCIM-USR-")
	fs.StringVar(&f.prefix, "prefix", "", `part of the name of every user and group the run creates, e.g. "ssoc-ci" (default "ssoc-" and 5 random characters)`)
	fs.StringVar(&f.deviations, "deviations", "", "YAML file of declared deviations: a list of {id, reason, expires: YYYY-MM-DD}")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "time limit of the whole run")
	f.image.register(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return nil // parseFlags printed the usage
		}
	}
	run, err := f.toRun(os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ssoconform scim: %v\n(see ssoconform scim -h)\n", err)
		return errUsage
	}
	if f.deviations != "" {
		if run.Deviations, err = specs.LoadDeviations(f.deviations); err != nil {
			return cannotRun{err}
		}
	}
	stopImage, err := f.image.start(ctx, &run, stderr)
	if err != nil {
		return err
	}
	defer stopImage()
	sum, err := specs.RunSCIM(run)
	var pe *harness.PreflightError
	switch {
	case errors.Is(err, specs.ErrSelection):
		fmt.Fprintf(stderr, "ssoconform scim: %v\n", err)
		return errUsage
	case errors.As(err, &pe):
		return cannotRun{pe} // one sentence naming the fix; no spec ran
	}
	printSummary(stdout, sum, run.ReportDir)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d specs failed", sum.Failed, sum.Passed+sum.Failed+sum.Warnings+sum.Skipped+sum.Deviated)
	}
	if len(sum.StaleDeviations) > 0 {
		return fmt.Errorf("%d deviation entries are stale", len(sum.StaleDeviations))
	}
	return nil
}

// toRun checks the flags and reads the token files.
func (f scimFlags) toRun(stdin io.Reader) (specs.SCIMRun, error) {
	if (f.url == "" && f.image.name == "") || f.tokenFile == "" {
		return specs.SCIMRun{}, errors.New("--url (or --image) and --token-file are required")
	}
	if (f.secondURL == "") != (f.secondTokenFile == "") {
		return specs.SCIMRun{}, errors.New("--second-url and --second-token-file go together")
	}
	if f.authScheme != "bearer" && f.authScheme != "header" {
		return specs.SCIMRun{}, fmt.Errorf("--auth-scheme %q: want bearer or header", f.authScheme)
	}
	profile, err := harness.ParseSCIMFlavour(f.profile)
	if err != nil {
		return specs.SCIMRun{}, err
	}
	features, err := harness.ParseSCIMFeatures(f.features)
	if err != nil {
		return specs.SCIMRun{}, err
	}
	auth, err := f.authorization(f.tokenFile, stdin)
	if err != nil {
		return specs.SCIMRun{}, err
	}
	target := harness.SCIMTarget{BaseURL: strings.TrimSuffix(f.url, "/"), Authorization: auth, Flavour: profile, Features: features}
	if f.secondURL != "" {
		auth2, err := f.authorization(f.secondTokenFile, stdin)
		if err != nil {
			return specs.SCIMRun{}, err
		}
		target.Second = &harness.SCIMTarget{BaseURL: strings.TrimSuffix(f.secondURL, "/"), Authorization: auth2, Flavour: profile, Features: features}
	}
	if f.throttleTokenFile != "" {
		auth3, err := f.authorization(f.throttleTokenFile, stdin)
		if err != nil {
			return specs.SCIMRun{}, err
		}
		target.Throttled = &harness.SCIMTarget{BaseURL: target.BaseURL, Authorization: auth3, Flavour: profile, Features: features}
	}
	if err := f.image.checkTarget(target); err != nil {
		return specs.SCIMRun{}, err
	}
	run := specs.SCIMRun{ToolVersion: version.String(), Target: target, ReportDir: f.reportDir, LabelFilter: f.labelFilter, Timeout: f.timeout, Prefix: f.prefix}
	if f.focus != "" {
		run.Focus = []string{f.focus}
	}
	return run, nil
}

// authorization reads a token file ("-" is stdin) into an Authorization header value. The token is
// never printed.
func (f scimFlags) authorization(path string, stdin io.Reader) (string, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, 64<<10))
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	token := strings.TrimSpace(string(raw))
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return "", fmt.Errorf("token file %s: want one non-empty line", path)
	}
	if f.authScheme == "header" {
		return token, nil
	}
	return "Bearer " + token, nil
}

// printSummary ends the run's output: failed and skipped specs with their reasons, where the reports
// are, the verdict and the counts.
func printSummary(w io.Writer, s specs.Summary, dir string) {
	fmt.Fprintln(w)
	for _, sp := range s.Specs {
		switch sp.State {
		case "passed":
		case "skipped", "pending":
			fmt.Fprintf(w, "skipped %s [%s]: %s\n", sp.ID, sp.Container, firstLine(sp.Message))
		default:
			if sp.Deviated != "" {
				fmt.Fprintf(w, "deviated %s [%s]: %s (declared: %s)\n", sp.ID, sp.Container, firstLine(sp.Message), sp.Deviated)
				continue
			}
			if sp.Warning {
				fmt.Fprintf(w, "warning %s (%s) [%s]: %s\n", sp.ID, sp.Level, sp.Container, firstLine(sp.Message))
				continue
			}
			fmt.Fprintf(w, "FAILED  %s [%s]: %s\n", sp.ID, sp.Container, firstLine(sp.Message))
		}
	}
	if s.Prefix != "" {
		fmt.Fprintf(w, "left on the server: %d resources named with the run prefix %q (%s/leftovers.txt)", len(s.Leftovers), s.Prefix, dir)
		if len(s.Leftovers) > 0 {
			fmt.Fprint(w, "; users stay deactivated, as Okta leaves them, unless the server declares user-delete")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "reports: %s/{junit.xml,report.json,report.html}\n", dir)
	for _, d := range s.StaleDeviations {
		fmt.Fprintln(w, "STALE  ", d)
	}
	fmt.Fprintf(w, "verdict: %s\n", s.Verdict)
	if s.Levels != nil {
		fmt.Fprintf(w, "by level: %s\n", s.LevelsLine())
	}
	fmt.Fprintln(w, s)
	if failed := failedRules(s); len(failed) > 0 {
		fmt.Fprintf(w, "failed rules: %s\n", strings.Join(failed, ", "))
	}
}

// failedRules are the IDs of the failures that count in the verdict.
func failedRules(s specs.Summary) []string {
	var ids []string
	for _, sp := range s.Specs {
		if sp.State != "passed" && sp.State != "skipped" && sp.State != "pending" && !sp.Warning && sp.Deviated == "" {
			ids = append(ids, sp.ID)
		}
	}
	return ids
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
