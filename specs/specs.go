// Package specs holds the conformance specs as a library: Ginkgo v2 specs that exercise single sign-on
// (OIDC and SAML, SP-initiated) and SCIM provisioning end to end against an app, through the harness.
// It is the only non-test code that imports Ginkgo and Gomega.
//
// One set of specs, several entry points: `make conformance` (our CI, against the reference stack),
// `specs.Test(t, cfg)` from a partner's `go test`, and the ssoconform CLI (`ssoconform scim`, which
// calls RunSCIM: the SCIM specs against any SCIM server, without the reference stack).
//
// The SCIM specs (scim_*.go) take a harness.SCIMTarget and talk HTTP only. They are registered once per
// profile (okta-oin, okta-aiw, rfc), each under its own top-level container labelled Profile:<name>, so
// spec texts and reports carry the profile. A profile is a catalogue: specs for requests a client of
// that flavour never sends are not registered in it (an AIW app never PATCHes). Optional features are
// labels (Feature:groups, ...): a spec needing a feature the target did not declare is Skip()ped with the
// reason, so it stays in the report. Against the reference stack the suite set-up creates two fresh
// organizations (the second one for tenant isolation) and declares every feature.
//
// Each SCIM spec carries a level (Level:okta, Level:must, Level:should; scim_levels.go) that weighs its
// failure in the verdict of its profile, and asserts only the rule it is named for: a step it needs
// that another spec owns (creating a user, a lookup, the error body's shape) is checked with owned(),
// which skips the spec as "blocked by SCIM-..." when the step is broken, so one defect fails one spec.
// The self-test (cmd/ssoconform TestSelfTestBrokenTargets) holds every spec to that.
//
// Every spec has a stable ID at the start of its text (e.g. "OIDC-SSO-SIGNIN") that reports carry, and
// labels from labels.go. Each spec makes its own uniquely named organizations and users, so specs can run
// in parallel and in random order.
//
// No package variable holds a run's state. Register(cfg) builds a Suite (the configuration, the
// reference stack or SCIM target the suite set-up makes, the run's name prefix, its summary) and
// registers every container as a method of it (describeX in each file), so specs and their helpers
// read su.stack, su.cfg, su.scim. Test, RunSCIM, RunSSO and SCIMCatalogue drop what an earlier run
// registered (Ginkgo's globals.Reset) and register afresh, so they can run one after another in one
// process.
//
//	func TestConformance(t *testing.T) {
//		specs.Test(t, specs.Config{RefAppBin: "bin/refapp", ReportDir: "out"})
//	}
package specs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/extensions/globals"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
	"github.com/ssoconform/ssoconform/harness/refappdriver"
)

// Config says what the specs run against.
type Config struct {
	// RefAppBin is the built reference app. Default: built once per run with `go build` (gexec).
	RefAppBin string
	// ReportDir receives screenshots and logs the reports point to. Default: "out".
	ReportDir string
	// ShowBrowser runs Chromium with a window. Default: false (headless).
	ShowBrowser bool
	// SCIM, when set, is the SCIM server the SCIM specs run against, and the reference stack is not
	// started: select only specs labelled with a Profile (RunSCIM does). Default: nil, the reference
	// app's SCIM server, two fresh organizations, every feature declared.
	SCIM *harness.SCIMTarget
	// App, when set, is the app the SSO catalogue runs against (catalogue.go), and the reference stack
	// is not started: select only specs labelled Catalogue (RunSSO does). Default: nil.
	App harness.App
	// Protocols are the protocols the catalogue covers. Default: the App's.
	Protocols []string
	// Profile weighs the catalogue's failures in the verdict (Level, scim_levels.go): okta-oin and
	// okta-aiw count Level:okta, rfc counts Level:must too. Default: okta-oin when App is set.
	Profile harness.SCIMFlavour
	// Attachments are files in ReportDir that report.html links to (e.g. a container's log). Default:
	// none.
	Attachments []string
	// Deviations are declared exemptions (LoadDeviations reads them from YAML): a failure of a listed
	// spec is "deviated" and does not fail the verdict; a listed spec that passes, an expired entry or
	// an unknown spec ID fails the run. Default: none.
	Deviations []Deviation

	prefix string // the SCIM run's name prefix (SCIMRun.Prefix). Default: "scim".
}

func (c Config) withDefaults() Config {
	if c.ReportDir == "" {
		c.ReportDir = "out"
	}
	if c.App != nil && len(c.Protocols) == 0 {
		c.Protocols = c.App.Protocols()
	}
	if c.App != nil && c.Profile == "" {
		c.Profile = harness.FlavourOktaOIN
	}
	return c
}

// Suite is one run of the specs: its configuration and what the suite set-up builds (the reference
// stack, the SCIM target, the run's name prefix), and the summary the report node writes. Every spec
// reads its state from the Suite it was registered by, so the specs keep no state between runs and
// Test can run them more than once in a process.
type Suite struct {
	cfg     Config
	prefix  string             // part of every SCIM name the run creates (pfx)
	stack   *harness.Stack     // the reference stack; nil against an external target
	refApp  *refappdriver.App  // the stack's refapp driven headless (the catalogue); nil against a target
	scim    harness.SCIMTarget // the SCIM specs' target, set by the suite set-up
	summary Summary            // set when the run ends (writeReports)
	report  types.Report       // the run's Ginkgo report, read by SCIMCatalogue
}

// Summary is the summary of the run, once it has ended.
func (su *Suite) Summary() Summary { return su.summary }

// Register adds the conformance specs for cfg to the Ginkgo suite of this process, with their suite
// set-up (building and starting the reference stack unless cfg names a target) and the report node
// (report.html and summary.txt in cfg.ReportDir; none when it is empty). cfg is taken as it is: the
// defaults of Config are Test's. Call it at the top level, once per suite, then RunSpecs; Test does
// both.
//
//	var _ = specs.Register(specs.Config{SCIM: &target})
func Register(cfg Config) *Suite {
	su := &Suite{cfg: cfg, prefix: cfg.prefix}
	if su.prefix == "" {
		su.prefix = "scim"
	}
	SynchronizedBeforeSuite(su.buildRefApp, su.setUp, NodeTimeout(5*time.Minute))
	SynchronizedAfterSuite(func() {}, func() { gexec.CleanupBuildArtifacts() })
	ReportAfterSuite("ssoconform HTML report", su.writeReports)
	su.reportProgress()
	su.describeCatalogue()
	su.describeProvisioning()
	su.describeProvisioningActions()
	su.describeProvisioningActions2()
	su.describeProvisioningGroupLifecycle()
	su.describeSCIM()
	su.describeSeedEmailType()
	su.describeSeedSettings()
	su.describeSeedState()
	su.describeSsoKeys()
	su.describeSsoOidc()
	su.describeSsoSaml()
	su.describeSsoSaml2()
	su.describeSsoSanitize()
	su.describeSsoSession()
	su.describeSsoSLO()
	su.describeSsoSettings()
	su.describeSsoSharedDb()
	return su
}

// runSpecs runs the specs of a fresh Register(cfg) in this process: whatever an earlier run
// registered is dropped first (Ginkgo keeps one suite per process), so runs can follow each other.
func runSpecs(t GinkgoTestingT, cfg Config, description string, args ...any) *Suite {
	globals.Reset()
	su := Register(cfg)
	RegisterFailHandler(Fail)
	RunSpecs(t, description, args...)
	return su
}

// Test runs the conformance specs under `go test`. Ginkgo flags (-ginkgo.label-filter,
// -ginkgo.junit-report, ...) apply as usual. With cfg.SCIM set it runs what `ssoconform scim` runs:
// Okta's connection test first (a target that cannot be tested fails t with one sentence), then the
// specs of the target's profile that need no reference stack. Each call runs the specs afresh, so a
// test may call it more than once (two SCIM targets, say); any specs registered in the process before
// it are dropped.
func Test(t *testing.T, cfg Config) {
	cfg = cfg.withDefaults()
	if cfg.SCIM == nil {
		runSpecs(t, cfg, "ssoconform conformance")
		return
	}
	target := *cfg.SCIM
	target.Flavour = target.Profile()
	cfg.SCIM = &target
	if err := preflight(target); err != nil {
		t.Fatal(err)
	}
	cfg.prefix = newRunPrefix()
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = scimFilter(target.Flavour, suiteConfig.LabelFilter)
	var rec failRecorder // the verdict decides, so warnings and deviated specs do not fail t
	su := runSpecs(&rec, cfg, "ssoconform SCIM conformance ("+string(target.Flavour)+")", suiteConfig, reporterConfig)
	failOnVerdict(t, su.Summary())
}

// buildRefApp, on the first parallel process only, builds the reference app unless the run has one
// or needs none, and hands its path to every process.
func (su *Suite) buildRefApp(ctx SpecContext) []byte {
	if su.cfg.SCIM != nil || su.cfg.App != nil {
		return nil // an external target: nothing to build
	}
	bin := su.cfg.RefAppBin
	if bin == "" {
		var err error
		bin, err = gexec.Build("github.com/ssoconform/ssoconform/cmd/refapp")
		Expect(err).NotTo(HaveOccurred(), "build refapp")
	}
	abs, err := filepath.Abs(bin)
	Expect(err).NotTo(HaveOccurred())
	return []byte(abs)
}

// setUp, on every parallel process, starts the reference stack (unless the run names a target) and
// sets the SCIM specs' target.
func (su *Suite) setUp(ctx SpecContext, bin []byte) {
	cfg := su.cfg
	if cfg.ReportDir != "" {
		Expect(os.MkdirAll(cfg.ReportDir, 0o755)).To(Succeed())
	}
	if cfg.SCIM != nil {
		su.scim = *cfg.SCIM
		return
	}
	if cfg.App != nil {
		return
	}
	cfg.RefAppBin = string(bin)
	st, err := harness.StartStack(ctx, harness.StackConfig{
		RefAppBin: cfg.RefAppBin,
		Dir:       GinkgoT().TempDir(),
		Browser:   browser.Config{Show: cfg.ShowBrowser},
		SCIMClock: &harness.SCIMClock{}, // 429 waits are recorded, never slept
		// a per-key SCIM limit the other specs never reach (a burst of 1500 holds the few hundred
		// requests the SCIM specs send on one key) while the rate-limit spec's burst outruns its slow
		// refill even on a loaded machine: with 1000/s it sent 5000 requests in 5 s under load 30 and
		// never drained the bucket
		RefAppArgs: []string{"--scim-rate-limit", "50", "--scim-rate-burst", "1500"},
	})
	Expect(err).NotTo(HaveOccurred(), "start the reference stack")
	su.stack, su.refApp = st, refappdriver.New(st)
	DeferCleanup(func(ctx SpecContext) {
		Expect(st.Close(ctx)).To(Succeed())
	}, NodeTimeout(30*time.Second))
	su.scim = refAppSCIMTarget(ctx, st)
}

// refAppSCIMTarget makes two organizations in the reference stack and returns the first one's SCIM
// server with every feature declared and the second one as the isolation tenant.
func refAppSCIMTarget(ctx context.Context, st *harness.Stack) harness.SCIMTarget {
	GinkgoHelper()
	a, err := st.NewTenant(ctx, harness.TenantSpec{Name: "scima"})
	Expect(err).NotTo(HaveOccurred(), "create the SCIM specs' first organization")
	b, err := st.NewTenant(ctx, harness.TenantSpec{Name: "scimb"})
	Expect(err).NotTo(HaveOccurred(), "create the SCIM specs' second organization")
	c, err := st.NewTenant(ctx, harness.TenantSpec{Name: "scimthrottle"})
	Expect(err).NotTo(HaveOccurred(), "create the rate-limit spec's organization")
	t := a.SCIM
	t.Features = harness.SCIMFeatures
	t.Second = &b.SCIM
	t.Throttled = &c.SCIM
	return t
}

// newPage opens an incognito page for the current spec, closed when the spec ends; on failure the spec's
// report gets a screenshot and refapp's log.
func (su *Suite) newPage(ctx context.Context) *browser.Page {
	GinkgoHelper()
	p, err := su.stack.Browser.NewPage(ctx)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) {
		if CurrentSpecReport().Failed() {
			su.attachScreenshot(ctx, p, "failure")
			AddReportEntry("refapp log", su.stack.App.Log(4000), ReportEntryVisibilityFailureOrVerbose)
		}
		_ = p.Close()
	})
	return p
}

// pages drives the reference app's pages in the browser (its login page's SSO path).
func (su *Suite) pages() harness.Driver { return refappdriver.Pages{URL: su.stack.App.URL} }

// attachScreenshot saves a PNG of the page under the report directory and records its path and URL in
// the spec's report.
func (su *Suite) attachScreenshot(ctx context.Context, p *browser.Page, what string) {
	png, err := p.Screenshot(ctx)
	if err != nil {
		AddReportEntry("screenshot "+what+" failed", err.Error())
		return
	}
	dir := filepath.Join(su.cfg.ReportDir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		AddReportEntry("screenshot "+what+" failed", err.Error())
		return
	}
	name := fmt.Sprintf("%s-%s-p%d.png", specID(), what, GinkgoParallelProcess())
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		AddReportEntry("screenshot "+what+" failed", err.Error())
		return
	}
	AddReportEntry("screenshot "+what, fmt.Sprintf("%s (page %s)", path, harness.RedactURL(p.URL())))
}

var specIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+`)

// specID is the stable ID at the start of the running spec's text.
func specID() string {
	if id := specIDPattern.FindString(CurrentSpecReport().LeafNodeText); id != "" {
		return id
	}
	return strings.ReplaceAll(CurrentSpecReport().LeafNodeText, " ", "_")
}
