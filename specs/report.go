package specs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// Verdicts of a run, as a partner shows them.
const (
	VerdictConformant = "conformant" // no failure that counts in the spec's profile, none skipped
	VerdictPartial    = "partial"    // no failure that counts, some skipped (an undeclared feature, no second tenant)
	VerdictFailed     = "failed"     // at least one failure that counts in its profile
)

// SpecResult is one spec's outcome in a report.
type SpecResult struct {
	ID          string // the stable ID, e.g. SCIM-USR-CREATE-409
	Requirement string // the spec's text after the ID: what is required and the rule it comes from
	Container   string // e.g. "SCIM 2.0 server [okta-oin] users: create and read"
	Labels      []string
	Level       Level    // okta, must or should; empty for specs without a level (SSO specs)
	Reference   string   // where the rule comes from, e.g. "RFC 7644 §3.3"
	Profile     string   // the SCIM profile the spec ran in; empty outside the SCIM specs
	State       string   // passed, failed, skipped, pending, panicked, ...
	Warning     bool     // failed, but its level does not count in its profile's verdict
	Deviated    string   // failed, but a declared deviation exempts it: the entry's reason
	Message     string   // the failure or skip reason
	Exchanges   string   // the HTTP transcript, for failures
	Pages       []string // pages the user saw, saved under the report directory (paths relative to it)
	Browser     bool     // the spec drove Chromium (label Browser); the others ran headless
}

// LevelCount is how the specs of one level fared.
type LevelCount struct {
	Level                           Level
	Passed, Failed, Skipped, Counts int // Counts: failures that fail the verdict
}

// Summary is what a run ends with.
type Summary struct {
	// Failed counts failures that fail the verdict; Warnings counts failures of levels the spec's
	// profile does not count (must in the okta profiles, should everywhere); Deviated counts failures
	// a declared deviation exempts.
	Passed, Failed, Warnings, Skipped, Deviated int
	// StaleDeviations are deviation entries that fail the run, one sentence each (the spec passes,
	// the entry expired, or it names no spec).
	StaleDeviations []string
	Verdict         string
	Levels          []LevelCount // okta, must, should, for the specs that have a level
	Specs           []SpecResult
	// Prefix is the run prefix of what a SCIM run created; Leftovers what of it is still on the server
	// (SCIM runs only).
	Prefix    string
	Leftovers []Leftover
	// Run is what the report's header says about the run.
	Run RunInfo
	// ReportErr says the report files could not all be written.
	ReportErr error
}

// String is the plain counts line.
func (s Summary) String() string {
	line := fmt.Sprintf("%d passed, %d failed, %d warnings, %d skipped", s.Passed, s.Failed, s.Warnings, s.Skipped)
	if s.Deviated > 0 {
		line += fmt.Sprintf(", %d deviated", s.Deviated)
	}
	return line
}

// LevelsLine says how each level fared, e.g. "okta 40/40 passed, must 20/22 passed (2 failed), ...".
func (s Summary) LevelsLine() string {
	var parts []string
	for _, c := range s.Levels {
		p := fmt.Sprintf("%s %d/%d passed", c.Level, c.Passed, c.Passed+c.Failed+c.Skipped)
		if c.Failed > 0 {
			p += fmt.Sprintf(" (%d failed)", c.Failed)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// summarize turns a Ginkgo report into a Summary, leaving out setup nodes and specs the filters
// excluded (skipped without a reason), and weighs the declared deviations on the day now.
func summarize(r types.Report, devs []Deviation, now time.Time) Summary {
	var s Summary
	active := activeDeviations(devs, now)
	known := map[string]bool{}
	levels := map[Level]*LevelCount{}
	for _, l := range Levels {
		levels[l] = &LevelCount{Level: l}
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.Failed++
				s.Specs = append(s.Specs, SpecResult{ID: sr.LeafNodeType.String(), State: sr.State.String(), Message: sr.Failure.Message})
			}
			continue
		}
		if id, _ := splitSpecText(sr.LeafNodeText); id != "" {
			known[id] = true
		}
		if sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
			continue // not selected
		}
		res := specResult(sr, active)
		lc := levels[res.Level]
		if lc == nil {
			lc = &LevelCount{} // no level: counted in the totals only
		}
		switch {
		case sr.State == types.SpecStatePassed:
			s.Passed++
			lc.Passed++
		case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
			s.Skipped++
			lc.Skipped++
		case res.Deviated != "":
			s.Deviated++
			lc.Failed++
		case res.Warning:
			s.Warnings++
			lc.Failed++
		default:
			s.Failed++
			lc.Failed++
			lc.Counts++
		}
		s.Specs = append(s.Specs, res)
	}
	for _, l := range Levels {
		if c := levels[l]; c.Passed+c.Failed+c.Skipped > 0 {
			s.Levels = append(s.Levels, *c)
		}
	}
	s.StaleDeviations = staleDeviations(devs, s.Specs, known, now)
	switch {
	case s.Failed > 0 || len(s.StaleDeviations) > 0 || !r.SuiteSucceeded && s.Passed+s.Skipped+s.Warnings+s.Deviated == 0:
		s.Verdict = VerdictFailed
	case s.Skipped > 0:
		s.Verdict = VerdictPartial
	default:
		s.Verdict = VerdictConformant
	}
	return s
}

// specResult is one It node's outcome, its level and its weight in the verdict.
// A failure of a spec with an active deviation is deviated rather than failed or a warning.
func specResult(sr types.SpecReport, active map[string]Deviation) SpecResult {
	id, req := splitSpecText(sr.LeafNodeText)
	res := SpecResult{ID: id, Requirement: req, Container: strings.Join(sr.ContainerHierarchyTexts, " "),
		Labels: sr.Labels(), Level: specLevel(sr.Labels()), Reference: specReference(id, sr.LeafNodeText), Profile: specProfile(sr.Labels()),
		State: sr.State.String(), Message: sr.Failure.Message, Browser: slices.Contains(sr.Labels(), Browser[0])}
	for _, e := range sr.ReportEntries {
		if e.Name == pageEntry {
			res.Pages = append(res.Pages, e.StringRepresentation())
		}
	}
	if sr.State.Is(types.SpecStateFailureStates) {
		res.Warning = !res.Level.blocks(res.Profile)
		if d, ok := active[id]; ok {
			res.Deviated, res.Warning = d.Reason, false
		}
		for _, e := range sr.ReportEntries {
			if e.Name == exchangesEntry {
				res.Exchanges = e.StringRepresentation()
			}
		}
	}
	return res
}

// specProfile reads the SCIM profile from a spec's labels.
func specProfile(labels []string) string {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, "Profile:"); ok {
			return v
		}
	}
	return ""
}

func splitSpecText(text string) (id, rest string) {
	id = specIDPattern.FindString(text)
	if id == "" {
		return "", text
	}
	return id, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, id), ":"))
}

// browserLine says, for the reference suite, how many of the specs that ran drove Chromium (report.html
// marks which); the others ran headless. Empty for a partner run, which never uses a browser.
func (su *Suite) browserLine() string {
	if su.stack == nil {
		return ""
	}
	ran, browser := 0, 0
	for _, sp := range su.summary.Specs {
		if sp.State == "passed" || sp.State == "failed" || sp.State == "panicked" {
			ran++
			if sp.Browser {
				browser++
			}
		}
	}
	return fmt.Sprintf("browser: %d of %d specs drove Chromium (marked in report.html), the others ran headless\n", browser, ran)
}

// writeReports writes the HTML report and summary.txt after every run, next to the Ginkgo reports,
// and keeps the run's summary and report in the Suite (Register makes it the report node).
func (su *Suite) writeReports(r types.Report) {
	su.summary, su.report = summarize(r, su.cfg.Deviations, time.Now()), r
	su.summary.Run = runInfo(su.cfg, r)
	dir := su.cfg.ReportDir
	if dir == "" {
		return
	}
	errs := []error{writeHTMLReport(filepath.Join(dir, "report.html"), r.SuiteDescription, su.summary, su.cfg.Attachments),
		// the verdict and the plain counts line, which `make conformance` prints last
		os.WriteFile(filepath.Join(dir, "summary.txt"),
			[]byte("verdict: "+su.summary.Verdict+"\n"+su.summary.LevelsLine()+"\n"+su.summary.String()+"\n"+
				su.browserLine()+strings.Join(append(su.summary.StaleDeviations, ""), "\n")), 0o644)}
	if su.cfg.SCIM != nil || su.cfg.App != nil { // a partner run: Ginkgo's own reports, without the specs never selected
		r = selected(r, activeDeviations(su.cfg.Deviations, time.Now()))
		errs = append(errs, reporters.GenerateJUnitReport(r, filepath.Join(dir, "junit.xml")),
			reporters.GenerateJSONReport(r, filepath.Join(dir, "report.json")))
	}
	if err := errors.Join(errs...); err != nil {
		su.summary.ReportErr = err
	}
}

// selected is the report without the specs the label filter left out, each spec with its level and
// its weight in the verdict as report entries (JUnit properties, entries in the JSON).
func selected(r types.Report, active map[string]Deviation) types.Report {
	kept := r.SpecReports[:0:0]
	for _, sr := range r.SpecReports {
		if sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
			continue
		}
		if sr.LeafNodeType == types.NodeTypeIt {
			sr.ReportEntries = append(slices.Clone(sr.ReportEntries), weightEntries(specResult(sr, active))...)
		}
		kept = append(kept, sr)
	}
	r.SpecReports = kept
	return r
}

// weightEntries are the level entry and, for a failure, whether it fails the verdict or warns.
func weightEntries(res SpecResult) []types.ReportEntry {
	if res.Level == "" {
		return nil
	}
	entry := func(name, value string) types.ReportEntry {
		return types.ReportEntry{Name: name, Visibility: types.ReportEntryVisibilityNever, Value: types.WrapEntryValue(value)}
	}
	out := []types.ReportEntry{entry("level", string(res.Level))}
	if res.State != "passed" && res.State != "skipped" && res.State != "pending" {
		outcome := "fails the verdict"
		switch {
		case res.Deviated != "":
			outcome = "deviated"
			out = append(out, entry("deviation", res.Deviated))
		case res.Warning:
			outcome = "warning"
		}
		out = append(out, entry("outcome", outcome))
	}
	return out
}
