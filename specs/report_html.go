package specs

import (
	"cmp"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// RunInfo is the header of report.html: what ran against what, when and for how long.
type RunInfo struct {
	Target, Profile string // the SCIM base URL or the app's name; the profile weighing the verdict
	Features        []string
	Deviations      []Deviation
	Version         string // ssoconform's version, when the caller says it (SCIMRun.ToolVersion)
	Start           time.Time
	Duration        time.Duration
}

// runInfo fills the header from the run's configuration and its Ginkgo report.
func runInfo(cfg Config, r types.Report) RunInfo {
	info := RunInfo{Deviations: cfg.Deviations, Start: r.StartTime,
		Duration: r.RunTime.Round(time.Millisecond), Profile: string(cfg.Profile)}
	if cfg.SCIM != nil {
		info.Target, info.Profile = cfg.SCIM.BaseURL, string(cfg.SCIM.Profile())
		for _, f := range cfg.SCIM.Features {
			info.Features = append(info.Features, string(f))
		}
	}
	if cfg.App != nil {
		info.Target = fmt.Sprint(cfg.App)
	}
	return info
}

// reportRank orders report.html: failures that count, then warnings, then deviated, skipped, passed.
func reportRank(r SpecResult) int {
	switch {
	case r.State == "passed":
		return 4
	case r.State == "skipped" || r.State == "pending":
		return 3
	case r.Deviated != "":
		return 2
	case r.Warning:
		return 1
	}
	return 0
}

// reportOrder is the specs in report order, each group sorted by rule ID.
func reportOrder(specs []SpecResult) []SpecResult {
	out := slices.Clone(specs)
	slices.SortStableFunc(out, func(a, b SpecResult) int {
		return cmp.Or(cmp.Compare(reportRank(a), reportRank(b)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

var (
	secretHeader = regexp.MustCompile(`(?im)^(\s*(?:[<>]\s*)?(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key)\s*:\s*).+$`)
	secretParam  = regexp.MustCompile(`(?i)\b(access_token|id_token|refresh_token|token|client_secret|password)=[^&\s"']+`)
	bearerToken  = regexp.MustCompile(`(?i)\b(bearer|ssws|basic)\s+[A-Za-z0-9._~+/=-]{8,}`)
)

// redactSecrets hides credentials in text shown in report.html, a second guard behind the harness's
// own redaction: header values, token parameters and bearer-style tokens.
func redactSecrets(s string) string {
	s = secretHeader.ReplaceAllString(s, "${1}[redacted]")
	s = secretParam.ReplaceAllString(s, "${1}=[redacted]")
	return bearerToken.ReplaceAllString(s, "${1} [redacted]")
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
	s.Specs = reportOrder(s.Specs)
	for i := range s.Specs {
		s.Specs[i].Message, s.Specs[i].Exchanges = redactSecrets(s.Specs[i].Message), redactSecrets(s.Specs[i].Exchanges)
	}
	s.Run.Target = redactSecrets(s.Run.Target)
	if err := reportTemplate.Execute(f, struct {
		Title       string
		Attachments []string
		Summary
	}{title, attachments, s}); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return f.Close()
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"rank":   reportRank,
	"join":   strings.Join,
	"stamp":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"groups": func() []string { return []string{"failed", "warning", "deviated", "skipped", "passed"} },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}: {{.Verdict}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
th.id{width:22%}th.level{width:5em}th.state{width:9em}
.passed{color:#1a7f37}.failed,.panicked,.timedout,.interrupted,.aborted{color:#cf222e;font-weight:bold}.skipped,.pending,.warning{color:#9a6700}.deviated{color:#8250df}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.6em;max-height:30em;overflow:auto;font-size:12px}
code{font-weight:bold}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
tr.group th{background:#f6f8fa}
</style></head><body>
<h1>{{.Title}}</h1>
<dl>
<dt>Verdict</dt><dd><strong id="verdict" class="{{if eq .Verdict "conformant"}}passed{{else if eq .Verdict "partial"}}skipped{{else}}failed{{end}}">{{.Verdict}}</strong>: {{.Summary}}</dd>
{{if .Levels}}<dt>By level</dt><dd>{{.LevelsLine}}</dd>{{end}}
{{with .Run}}{{if .Target}}<dt>Target</dt><dd>{{.Target}}</dd>{{end}}
{{if .Profile}}<dt>Profile</dt><dd>{{.Profile}}</dd>{{end}}
<dt>Features</dt><dd>{{if .Features}}{{join .Features ", "}}{{else}}none declared{{end}}</dd>
<dt>Deviations</dt><dd>{{if .Deviations}}{{range $i, $d := .Deviations}}{{if $i}}; {{end}}<code>{{$d.ID}}</code> until {{$d.Expires}}: {{$d.Reason}}{{end}}{{else}}none{{end}}</dd>
{{if .Version}}<dt>Tool</dt><dd>ssoconform {{.Version}}</dd>{{end}}
{{if not .Start.IsZero}}<dt>Started</dt><dd>{{stamp .Start}}, took {{.Duration}}</dd>{{end}}{{end}}
{{if .Prefix}}<dt>Left on the server</dt><dd>{{len .Leftovers}} resources named with the run prefix <code>{{.Prefix}}</code>{{if .Leftovers}}<ul id="leftovers">{{range .Leftovers}}<li>{{.}}</li>{{end}}</ul>{{end}}</dd>{{end}}
{{if .Attachments}}<dt>Attached</dt><dd>{{range $i, $a := .Attachments}}{{if $i}}, {{end}}<a href="{{$a}}">{{$a}}</a>{{end}}</dd>{{end}}
</dl>
{{range .StaleDeviations}}<p class="failed">{{.}}</p>{{end}}
{{if .Levels}}<p>Levels: <code>okta</code> Okta's provisioning needs the rule (counts in every profile);
<code>must</code> an RFC 7643/7644 MUST (counts in the rfc profile, a warning in the okta profiles); <code>should</code> a
SHOULD or best practice (a warning).</p>{{end}}
<p><label>Filter: <input id="filter" type="search" placeholder="rule ID, text or state" size="40"></label></p>
<table><thead><tr><th class="id">ID</th><th class="level">Level</th><th>Requirement</th><th class="state">Verdict</th></tr></thead><tbody>
{{range .Specs}}<tr class="spec" data-group="{{index groups (rank .)}}"><td><code>{{.ID}}</code><br><small>{{.Container}}</small></td><td>{{.Level}}</td>
<td>{{.Requirement}}{{if .Browser}} <small class="browser">(in Chromium)</small>{{end}}{{if .Message}}<pre>{{.Message}}</pre>{{end}}{{if .Exchanges}}<details><summary>HTTP exchanges</summary><pre>{{.Exchanges}}</pre></details>{{end}}{{if .Pages}}<p>What the user saw: {{range $i, $p := .Pages}}{{if $i}}, {{end}}<a href="{{$p}}">{{$p}}</a>{{end}}</p>{{end}}</td>
<td class="{{if .Deviated}}deviated{{else if .Warning}}warning{{else}}{{.State}}{{end}}">{{if .Deviated}}deviated<br><small>{{.Deviated}}</small>{{else}}{{.State}}{{if .Warning}} (warning){{end}}{{end}}</td></tr>
{{end}}</tbody></table>
<script>
document.getElementById("filter").addEventListener("input", function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll("tr.spec").forEach(function (tr) {
    tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
  });
});
</script>
</body></html>
`))
