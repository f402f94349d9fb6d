package specs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/harness"
)

// SCIMRun says how RunSCIM runs the SCIM specs against a partner's server.
type SCIMRun struct {
	// Target is the server under test; its Flavour selects the profile (default okta-oin). Required.
	Target harness.SCIMTarget
	// ReportDir receives junit.xml, report.json and report.html. Default: "ssoconform-report".
	ReportDir string
	// LabelFilter narrows the selection (Ginkgo label-filter syntax); it is ANDed with the profile's
	// label. Default: every spec of the profile.
	LabelFilter string
	// Focus, when set, runs only specs whose text matches one of these regular expressions.
	Focus []string
	// Timeout bounds the whole run. Default: 30 minutes.
	Timeout time.Duration
	// Prefix is part of the name of every user and group the run creates; the run removes them at the
	// end (DELETE with user-delete, else deactivated as Okta does) and Summary.Leftovers lists what is
	// still there. Default: "ssoc-" and five random characters.
	Prefix string
	// Attachments are files in ReportDir, written by the caller before or after the run (the
	// container's log with --image), that report.html links to. Default: none.
	Attachments []string
	// ToolVersion is shown in report.html's header. Default: none shown.
	ToolVersion string
	// Deviations are declared exemptions (see Config.Deviations). Default: none.
	Deviations []Deviation
}

// ErrSelection marks a run that could not start because of what was asked (a bad label filter, an
// invalid target): the caller's mistake, not the server's.
var ErrSelection = errors.New("invalid selection")

// RunSCIM runs the SCIM specs of the target's profile in this process (no reference stack, no
// browser), writes the reports and returns the summary. It first sends Okta's connection test; a
// *harness.PreflightError means the target cannot be tested at all and no spec ran. It can run more
// than once per process, one run at a time. An error means the run did not happen or its reports could
// not be written; spec failures are in the summary.
//
//	sum, err := specs.RunSCIM(specs.SCIMRun{Target: harness.SCIMTarget{BaseURL: u, Authorization: "Bearer " + tok}})
//	fmt.Println(sum.Verdict, sum)
func RunSCIM(run SCIMRun) (Summary, error) {
	if err := run.Target.Validate(); err != nil {
		return Summary{}, fmt.Errorf("%w: %w", ErrSelection, err)
	}
	run.Target.Flavour = run.Target.Profile()
	pr := partnerRun{title: "ssoconform SCIM conformance (" + string(run.Target.Flavour) + ")",
		filter: scimFilter(run.Target.Flavour, run.LabelFilter), asked: run.LabelFilter, focus: run.Focus, timeout: run.Timeout}
	dir, err := pr.prepare(run.ReportDir)
	if err != nil {
		return Summary{}, err
	}
	target := run.Target
	if err := preflight(target); err != nil {
		return Summary{}, err
	}
	prefix := run.Prefix
	if prefix == "" {
		prefix = newRunPrefix()
	}
	cfg := Config{ReportDir: dir, SCIM: &target, Attachments: run.Attachments, Deviations: run.Deviations, prefix: prefix}
	sum, err := pr.run(cfg)
	if err != nil {
		return sum, err
	}
	sum.Prefix = prefix
	sum.Leftovers = findLeftovers(target, dir, prefix)
	sum.Run.Version = run.ToolVersion
	if err := writeHTMLReport(filepath.Join(dir, "report.html"), pr.title, sum, run.Attachments); err != nil {
		sum.ReportErr = errors.Join(sum.ReportErr, err) // the header's version and the leftovers
	}
	if sum.ReportErr != nil {
		return sum, sum.ReportErr
	}
	return sum, nil
}

// findLeftovers lists what the run left on the target and writes it to leftovers.txt in dir.
func findLeftovers(t harness.SCIMTarget, dir, prefix string) []Leftover {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	left := leftovers(ctx, t, prefix)
	var b strings.Builder
	fmt.Fprintf(&b, "resources whose name holds the run prefix %q still on the server after the run:\n", prefix)
	for _, l := range left {
		b.WriteString(l.String() + "\n")
	}
	_ = os.WriteFile(filepath.Join(dir, "leftovers.txt"), []byte(b.String()), 0o644)
	return left
}

// scimFilter selects the specs of a profile that run against a SCIM server alone (no reference stack,
// no mock Okta driving an app), narrowed by extra when set.
func scimFilter(p harness.SCIMFlavour, extra string) string {
	filter := "Profile:" + string(p) + " && !Stack"
	if extra != "" {
		filter = fmt.Sprintf("(%s) && (%s)", filter, extra)
	}
	return filter
}

// preflight sends Okta's connection test before any spec: a target that cannot be tested at all (down,
// TLS, token refused, wrong URL) ends the run with one *harness.PreflightError instead of a report of
// every spec failing for the same reason.
func preflight(t harness.SCIMTarget) error {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	return t.Preflight(ctx)
}

// failRecorder stands in for *testing.T outside `go test` (csi-sanity does the same).
type failRecorder struct{ failed bool }

func (f *failRecorder) Fail() { f.failed = true }

// failOnVerdict fails t the way the CLI exits: on a failed verdict (failures that count, a setup
// failure, or a stale deviation), not on warnings or deviated specs.
func failOnVerdict(t interface{ Errorf(string, ...any) }, s Summary) {
	for _, d := range s.StaleDeviations {
		t.Errorf("%s", d)
	}
	if s.Verdict == VerdictFailed {
		t.Errorf("verdict %s: %s", s.Verdict, s)
	}
}
