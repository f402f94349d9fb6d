package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/refappdriver"
	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/specs"
)

const ssoUsage = `usage: ssoconform sso --app app.yaml [flags]
       ssoconform sso --refapp-bin bin/refapp [flags]

Runs the SSO catalogue against your app: a mock Okta in this process, the app connected to it over
OIDC and SAML (SP-initiated), a sign-in spec per protocol and one spec per fault of the mock's catalogue
(bad signatures, XSW, expired or replayed assertions, wrong issuers, audiences, nonces, states ...): the
app must sign a valid user in and refuse every bad IdP. No browser: the sign-in runs over HTTP. Writes
junit.xml, report.json and report.html to --report-dir and ends with a verdict line and counts. Specs are
labelled Level:okta (a MUST of the protocols or a known attack, with Okta as the IdP), Level:must (a MUST
that only a broken IdP could break: Okta always signs and sets what it leaves out) or Level:should (a
SHOULD, a MAY or a policy). --profile weighs them as ssoconform scim does: okta-oin and okta-aiw (the
same for sign-in) fail the verdict on Level:okta failures and list the others as warnings; rfc fails it
on Level:must failures too.

app.yaml says how to start the app, where sign-in starts, how a signed-in session shows and how the app
is connected (fixtures/apps/notes/app.yaml is an example; the format is harness.AppFile). --refapp-bin
runs the same catalogue against the reference app. Exit status: 0 when every spec passed (skips
included), 1 on failures, 2 on usage errors, 3 when the app or the mock could not start.

flags:`

type ssoFlags struct {
	app, refappBin, protocol      string
	profile                       string
	reportDir, labelFilter, focus string
	timeout                       time.Duration
}

func runSSO(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f ssoFlags
	fs := flag.NewFlagSet("ssoconform sso", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), ssoUsage); fs.PrintDefaults() }
	fs.StringVar(&f.app, "app", "", "the app's app.yaml")
	fs.StringVar(&f.refappBin, "refapp-bin", "", "run against the reference app built at this path instead of --app")
	fs.StringVar(&f.protocol, "protocol", "", "oidc or saml; default: every protocol the app signs in with")
	fs.StringVar(&f.profile, "profile", string(harness.FlavourOktaOIN), "okta-oin, okta-aiw or rfc: which levels fail the verdict")
	fs.StringVar(&f.reportDir, "report-dir", "ssoconform-report", "directory for junit.xml, report.json and report.html")
	fs.StringVar(&f.labelFilter, "label-filter", "", `Ginkgo label filter narrowing the selection, e.g. 'Level:okta'`)
	fs.StringVar(&f.focus, "focus", "", "run only specs whose text matches this regular expression, e.g. SAML-NEG-XSW")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "time limit of the whole run")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return nil // parseFlags printed the usage
		}
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(stderr, "ssoconform sso: %v\n(see ssoconform sso -h)\n", err)
		return errUsage
	}
	work, err := os.MkdirTemp("", "ssoconform-sso-")
	if err != nil {
		return cannotRun{err}
	}
	defer os.RemoveAll(work)
	app, stop, err := f.startApp(ctx, work)
	if err != nil {
		return cannotRun{err}
	}
	defer stop()
	run := specs.SSORun{App: app, Profile: harness.SCIMFlavour(f.profile), ReportDir: f.reportDir, LabelFilter: f.labelFilter, Timeout: f.timeout}
	if f.protocol != "" {
		run.Protocols = []string{f.protocol}
	}
	if f.focus != "" {
		run.Focus = []string{f.focus}
	}
	sum, err := specs.RunSSO(run)
	if errors.Is(err, specs.ErrSelection) {
		fmt.Fprintf(stderr, "ssoconform sso: %v\n", err)
		return errUsage
	}
	printSummary(stdout, sum, run.ReportDir)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d specs failed", sum.Failed, sum.Passed+sum.Failed+sum.Warnings+sum.Skipped)
	}
	return nil
}

func (f ssoFlags) check() error {
	if (f.app == "") == (f.refappBin == "") {
		return errors.New("one of --app and --refapp-bin is required")
	}
	if f.protocol != "" && f.protocol != "oidc" && f.protocol != "saml" {
		return fmt.Errorf("--protocol %q: want oidc or saml", f.protocol)
	}
	if _, err := harness.ParseSCIMFlavour(f.profile); err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	if f.app != "" {
		if _, err := harness.LoadAppFile(f.app); err != nil {
			return err
		}
	}
	return nil
}

// startApp starts the mock Okta and the app (--app) or the reference stack (--refapp-bin), and returns
// a function stopping them.
func (f ssoFlags) startApp(ctx context.Context, work string) (harness.App, func(), error) {
	if f.refappBin != "" {
		st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: f.refappBin, Dir: work, NoBrowser: true})
		if err != nil {
			return nil, nil, err
		}
		return refappdriver.New(st), func() { _ = st.Close(context.WithoutCancel(ctx)) }, nil
	}
	idp, stopIdP, err := serveMockIdP()
	if err != nil {
		return nil, nil, err
	}
	app, err := harness.StartYAMLApp(ctx, f.app, idp, work)
	if err != nil {
		stopIdP()
		return nil, nil, err
	}
	return app, func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = app.Close(cctx)
		stopIdP()
	}, nil
}

// serveMockIdP serves a mock Okta on a free loopback port.
func serveMockIdP() (*mockidp.Server, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start mock okta: %w", err)
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("start mock okta: %w", err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return idp, func() { _ = srv.Close() }, nil
}
