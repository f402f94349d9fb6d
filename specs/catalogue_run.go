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
	filter := "Catalogue"
	if run.LabelFilter != "" {
		filter = fmt.Sprintf("Catalogue && (%s)", run.LabelFilter)
	}
	if _, err := types.ParseLabelFilter(filter); err != nil {
		return Summary{}, fmt.Errorf("%w: label filter %q: %w", ErrSelection, run.LabelFilter, err)
	}
	dir, err := filepath.Abs(withDefault(run.ReportDir, "ssoconform-report"))
	if err != nil {
		return Summary{}, fmt.Errorf("report dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("report dir: %w", err)
	}
	cfg := Config{ReportDir: dir, App: run.App, Protocols: run.Protocols, Attachments: run.Attachments}.withDefaults()

	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = filter
	suiteConfig.FocusStrings = run.Focus
	suiteConfig.Timeout = run.Timeout
	if suiteConfig.Timeout == 0 {
		suiteConfig.Timeout = 30 * time.Minute
	}
	suiteConfig.FailOnEmpty = true
	suiteConfig.RandomizeAllSpecs = false
	reporterConfig.Succinct = true
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		reporterConfig.NoColor = true
	}
	var t failRecorder
	sum := runSpecs(&t, cfg, "ssoconform SSO catalogue ("+strings.Join(cfg.Protocols, ", ")+")", suiteConfig, reporterConfig).Summary()
	if sum.Passed+sum.Failed+sum.Skipped == 0 {
		return sum, fmt.Errorf("%w: no spec selected by label filter %q", ErrSelection, filter)
	}
	return sum, sum.ReportErr
}

func withDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
