package specs

import (
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// Verdicts of a run, as a partner shows them.
const (
	VerdictConformant = "conformant" // every selected spec passed
	VerdictPartial    = "partial"    // none failed, some were skipped (an undeclared feature, no second tenant)
	VerdictFailed     = "failed"     // at least one failed
)

// SpecResult is one spec's outcome in a report.
type SpecResult struct {
	ID          string // the stable ID, e.g. SCIM-USR-CREATE-409
	Requirement string // the spec's text after the ID: what is required and the rule it comes from
	Container   string // e.g. "SCIM 2.0 server [okta-oin] users: create and read"
	Labels      []string
	State       string // passed, failed, skipped, pending, panicked, ...
	Message     string // the failure or skip reason
	Exchanges   string // the HTTP transcript, for failures
}

// Summary is what a run ends with.
type Summary struct {
	Passed, Failed, Skipped int
	Verdict                 string
	Specs                   []SpecResult
	// ReportErr says the report files could not all be written.
	ReportErr error
}

// String is the plain counts line.
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// summarize turns a Ginkgo report into a Summary, leaving out setup nodes and specs the filters
// excluded (skipped without a reason).
func summarize(r types.Report) Summary {
	var s Summary
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.Failed++
				s.Specs = append(s.Specs, SpecResult{ID: sr.LeafNodeType.String(), State: sr.State.String(), Message: sr.Failure.Message})
			}
			continue
		}
		if sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
			continue // not selected
		}
		id, req := splitSpecText(sr.LeafNodeText)
		res := SpecResult{ID: id, Requirement: req, Container: strings.Join(sr.ContainerHierarchyTexts, " "),
			Labels: sr.Labels(), State: sr.State.String(), Message: sr.Failure.Message}
		switch sr.State {
		case types.SpecStatePassed:
			s.Passed++
		case types.SpecStateSkipped, types.SpecStatePending:
			s.Skipped++
		default:
			s.Failed++
			for _, e := range sr.ReportEntries {
				if e.Name == exchangesEntry {
					res.Exchanges = e.StringRepresentation()
				}
			}
		}
		s.Specs = append(s.Specs, res)
	}
	switch {
	case s.Failed > 0 || !r.SuiteSucceeded && s.Passed+s.Skipped == 0:
		s.Verdict = VerdictFailed
	case s.Skipped > 0:
		s.Verdict = VerdictPartial
	default:
		s.Verdict = VerdictConformant
	}
	return s
}

func splitSpecText(text string) (id, rest string) {
	id = specIDPattern.FindString(text)
	if id == "" {
		return "", text
	}
	return id, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, id), ":"))
}

// lastSummary is the summary of the run that just ended, read by RunSCIM.
var lastSummary Summary

// The HTML report is written after every run, next to the Ginkgo reports.
var _ = ReportAfterSuite("ssoconform HTML report", func(r types.Report) {
	lastSummary = summarize(r)
	dir := current.ReportDir
	if dir == "" {
		return
	}
	errs := []error{writeHTMLReport(filepath.Join(dir, "report.html"), r.SuiteDescription, lastSummary, current.Attachments),
		// the verdict and the plain counts line, which `make conformance` prints last
		os.WriteFile(filepath.Join(dir, "summary.txt"),
			[]byte("verdict: "+lastSummary.Verdict+"\n"+lastSummary.String()+"\n"), 0o644)}
	if current.SCIM != nil || current.App != nil { // a partner run: Ginkgo's own reports, without the specs never selected
		r = selected(r)
		errs = append(errs, reporters.GenerateJUnitReport(r, filepath.Join(dir, "junit.xml")),
			reporters.GenerateJSONReport(r, filepath.Join(dir, "report.json")))
	}
	if err := errors.Join(errs...); err != nil {
		lastSummary.ReportErr = err
	}
})

// selected is the report without the specs the label filter left out.
func selected(r types.Report) types.Report {
	kept := r.SpecReports[:0:0]
	for _, sr := range r.SpecReports {
		if sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
			continue
		}
		kept = append(kept, sr)
	}
	r.SpecReports = kept
	return r
}

func writeHTMLReport(path, title string, s Summary, attachments []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	defer f.Close()
	if err := reportTemplate.Execute(f, struct {
		Title       string
		Attachments []string
		Summary
	}{title, attachments, s}); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return f.Close()
}

var reportTemplate = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}: {{.Verdict}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
.passed{color:#1a7f37}.failed,.panicked,.timedout,.interrupted,.aborted{color:#cf222e;font-weight:bold}.skipped,.pending{color:#9a6700}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6em;max-height:30em;overflow:auto;font-size:12px}
code{font-weight:bold}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Verdict: <strong class="{{if eq .Verdict "conformant"}}passed{{else if eq .Verdict "partial"}}skipped{{else}}failed{{end}}">{{.Verdict}}</strong>:
{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped.</p>
{{if .Attachments}}<p>Attached: {{range $i, $a := .Attachments}}{{if $i}}, {{end}}<a href="{{$a}}">{{$a}}</a>{{end}}</p>{{end}}
<table><thead><tr><th>ID</th><th>Requirement</th><th>Verdict</th></tr></thead><tbody>
{{range .Specs}}<tr><td><code>{{.ID}}</code><br><small>{{.Container}}</small></td>
<td>{{.Requirement}}{{if .Message}}<pre>{{.Message}}</pre>{{end}}{{if .Exchanges}}<details><summary>HTTP exchanges</summary><pre>{{.Exchanges}}</pre></details>{{end}}</td>
<td class="{{.State}}">{{.State}}</td></tr>
{{end}}</tbody></table></body></html>
`))
