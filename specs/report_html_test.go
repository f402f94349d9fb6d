package specs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness/browser"
)

// htmlSample is a run with a pass listed first, a warning, a deviated and a failed spec whose
// transcript carries a token.
func htmlSample() Summary {
	return Summary{Passed: 1, Failed: 1, Warnings: 1, Deviated: 1, Verdict: VerdictFailed, Prefix: "ssoc-html",
		Leftovers: []Leftover{{Kind: "User", ID: "u1", Name: "ssoc-html-alice", Active: false}},
		Run: RunInfo{Target: "http://127.0.0.1:1/scim/v2", Profile: "okta-oin", Features: []string{"groups"}, Version: "0.1.0",
			Deviations: []Deviation{{ID: "SCIM-DEV", Reason: "gateway", Expires: "2099-01-01"}},
			Start:      time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC), Duration: 3 * time.Second},
		Specs: []SpecResult{
			{ID: "SCIM-PASS", Requirement: "passes", State: "passed", Level: LevelOkta},
			{ID: "SCIM-WARN", Requirement: "warns", State: "failed", Warning: true, Level: LevelMust, Message: "no header"},
			{ID: "SCIM-DEV", Requirement: "deviates", State: "failed", Deviated: "gateway", Level: LevelOkta, Message: "nope"},
			{ID: "SCIM-FAIL", Requirement: "fails", State: "failed", Level: LevelOkta, Message: strings.Repeat("a-very-long-word", 60),
				Exchanges: "> GET /Users?access_token=tok-secret-1\n> Authorization: Bearer tok-secret-2\n< 200 OK\n"},
		}}
}

func TestReportOrderAndRedaction(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, r := range reportOrder(htmlSample().Specs) {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "SCIM-FAIL SCIM-WARN SCIM-DEV SCIM-PASS" {
		t.Errorf("order %s, want failures, warnings, deviated, passes", got)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := writeHTMLReport(path, "t", htmlSample(), nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(raw)
	if strings.Contains(html, "tok-secret") {
		t.Error("report.html shows a token")
	}
	for _, want := range []string{"ssoc-html-alice", "okta-oin", "groups", "0.1.0", "2026-12-05 14:00:00 UTC", "3s", "gateway", "http://127.0.0.1:1/scim/v2"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<script src") || strings.Contains(html, "<link") {
		t.Error("report.html loads an external asset")
	}
}

// TestReportHTMLInChromium opens report.html in Chromium: the failed rule is the first row, the
// filter hides rows that do not match, and the screenshot is saved next to the report.
func TestReportHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	dir, err := filepath.Abs(filepath.Join("out", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeHTMLReport(filepath.Join(dir, "report.html"), "ssoconform SCIM conformance (okta-oin)", htmlSample(), nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Launch(ctx, browser.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	page, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	if err := page.Open(ctx, srv.URL+"/report.html"); err != nil {
		t.Fatal(err)
	}
	shot, err := page.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := page.Text(ctx, "tr.spec:first-child code")
	if err != nil || first != "SCIM-FAIL" {
		t.Errorf("first row %q (%v), want the failed rule SCIM-FAIL before the passes", first, err)
	}
	if err := page.Fill(ctx, "#filter", "SCIM-PASS"); err != nil {
		t.Fatal(err)
	}
	hidden, err := page.Has(`tr.spec[data-group="failed"][hidden]`)
	shown, err2 := page.Has(`tr.spec[data-group="passed"]:not([hidden])`)
	if err != nil || err2 != nil || !hidden || !shown {
		t.Errorf("after filtering on SCIM-PASS: failed row hidden %v, passed row shown %v (%v, %v)", hidden, shown, err, err2)
	}
}
