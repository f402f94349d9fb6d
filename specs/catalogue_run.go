package specs

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/ssoconform/ssoconform/harness"
)

// SSORun says how RunSSO runs the SSO catalogue against an app.
type SSORun struct {
	// App is the app under test (harness.YAMLApp, refappdriver.App, or a partner's own). Required.
	App harness.App
	// Profile weighs failures in the verdict: okta-oin or okta-aiw (Level:okta counts, Level:must
	// and Level:should warn) or rfc (Level:must counts too). Default: okta-oin.
	Profile harness.SCIMFlavour
	// Protocols narrows the catalogue to some of the app's protocols ("oidc", "saml"). Default: all
	// of the app's.
	Protocols []string
	// ReportDir receives junit.xml, report.json and report.html. Default: "ssoconform-report".
	ReportDir string
	// LabelFilter narrows the selection (Ginkgo label-filter syntax, e.g. 'Level:okta'); it is
	// ANDed with Catalogue. Default: the whole catalogue.
	LabelFilter string
	// Focus, when set, runs only specs whose text matches one of these regular expressions.
	Focus []string
	// Timeout bounds the whole run. Default: 30 minutes.
	Timeout time.Duration
	// Attachments are files in ReportDir that report.html links to (e.g. the app's log). Default: none.
	Attachments []string
}

// RunSSO runs the SSO catalogue (catalogue.go) against the app in this process, one spec at a time,
// writes the reports and returns the summary. Like RunSCIM it can run more than once per process, one run
// at a time. An error means the run did not happen or its reports could not be written; spec
// failures are in the summary.
//
//	sum, err := specs.RunSSO(specs.SSORun{App: app, ReportDir: "out"})
func RunSSO(run SSORun) (Summary, error) {
	if run.App == nil {
		return Summary{}, fmt.Errorf("%w: no app", ErrSelection)
	}
	for _, p := range run.Protocols {
		if !slices.Contains(run.App.Protocols(), p) {
			return Summary{}, fmt.Errorf("%w: the app does not sign in over %q (it does over %s)", ErrSelection, p,
				strings.Join(run.App.Protocols(), ", "))
		}
	}
	if run.Profile != "" {
		if _, err := harness.ParseSCIMFlavour(string(run.Profile)); err != nil {
			return Summary{}, fmt.Errorf("%w: profile: %w", ErrSelection, err)
		}
	}
	cfg := Config{App: run.App, Protocols: run.Protocols, Profile: run.Profile, Attachments: run.Attachments}.withDefaults()
	filter := "Catalogue"
	if run.LabelFilter != "" {
		filter = fmt.Sprintf("Catalogue && (%s)", run.LabelFilter)
	}
	pr := partnerRun{title: "ssoconform SSO catalogue (" + strings.Join(cfg.Protocols, ", ") + "; " + string(cfg.Profile) + ")",
		filter: filter, asked: run.LabelFilter, focus: run.Focus, timeout: run.Timeout}
	dir, err := pr.prepare(run.ReportDir)
	if err != nil {
		return Summary{}, err
	}
	cfg.ReportDir = dir
	sum, err := pr.run(cfg)
	if err != nil {
		return sum, err
	}
	return sum, sum.ReportErr
}

// partnerRun is what RunSCIM and RunSSO share: the selection, the report directory and the Ginkgo
// configuration of a partner's run (one spec at a time, in order, one line per spec at most).
type partnerRun struct {
	title   string        // the suite's description
	filter  string        // the whole label filter
	asked   string        // the part of it the caller gave, for error messages
	focus   []string      // regular expressions on spec texts; none: every selected spec
	timeout time.Duration // default 30 minutes
}

// prepare checks the label filter and makes the report directory (default "ssoconform-report"),
// returning its absolute path.
func (pr partnerRun) prepare(reportDir string) (string, error) {
	if _, err := types.ParseLabelFilter(pr.filter); err != nil {
		return "", fmt.Errorf("%w: label filter %q: %w", ErrSelection, pr.asked, err)
	}
	if reportDir == "" {
		reportDir = "ssoconform-report"
	}
	dir, err := filepath.Abs(reportDir)
	if err != nil {
		return "", fmt.Errorf("report dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report dir: %w", err)
	}
	return dir, nil
}

// run registers the specs for cfg afresh and runs them; a selection with no spec in it is the
// caller's mistake (ErrSelection).
func (pr partnerRun) run(cfg Config) (Summary, error) {
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = pr.filter
	suiteConfig.FocusStrings = pr.focus
	suiteConfig.Timeout = pr.timeout
	if suiteConfig.Timeout == 0 {
		suiteConfig.Timeout = 30 * time.Minute
	}
	suiteConfig.FailOnEmpty = true
	suiteConfig.RandomizeAllSpecs = false
	reporterConfig.Succinct = true     // junit.xml and report.json come from the report node (report.go)
	reporterConfig.SilenceSkips = true // no row of S for specs outside the selection
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		reporterConfig.NoColor = true // a log file or a pipe
	}
	var t failRecorder
	sum := runSpecs(&t, cfg, pr.title, suiteConfig, reporterConfig).Summary()
	if sum.Passed+sum.Failed+sum.Warnings+sum.Skipped == 0 {
		return sum, fmt.Errorf("%w: no spec selected by label filter %q", ErrSelection, pr.filter)
	}
	return sum, nil
}
