package specs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// spec is a finished It node with the given labels and state.
func spec(text string, state types.SpecState, labels ...string) types.SpecReport {
	sr := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, State: state}
	if state != types.SpecStatePassed {
		sr.Failure.Message = "why"
	}
	return sr
}

func TestSummarizeWeighsLevelsPerProfile(t *testing.T) {
	t.Parallel()
	oin, rfc := "Profile:okta-oin", "Profile:rfc"
	pass, fail, skip := types.SpecStatePassed, types.SpecStateFailed, types.SpecStateSkipped
	tests := []struct {
		name         string
		specs        []types.SpecReport
		verdict      string
		failed, warn int
	}{
		{"must and should failures warn in okta-oin", []types.SpecReport{spec("SCIM-A: a", pass, oin, "Level:okta"),
			spec("SCIM-B: b", fail, oin, "Level:must"), spec("SCIM-C: c", fail, oin, "Level:should")}, VerdictConformant, 0, 2},
		{"an okta failure fails okta-oin", []types.SpecReport{spec("SCIM-A: a", fail, oin, "Level:okta")}, VerdictFailed, 1, 0},
		{"a must failure fails rfc", []types.SpecReport{spec("SCIM-B: b", fail, rfc, "Level:must"),
			spec("SCIM-C: c", fail, rfc, "Level:should")}, VerdictFailed, 1, 1},
		{"a skip with only warnings is partial", []types.SpecReport{spec("SCIM-B: b", fail, oin, "Level:must"),
			spec("SCIM-A: a", skip, oin, "Level:okta")}, VerdictPartial, 0, 1},
		{"a spec without a level always counts", []types.SpecReport{spec("OIDC-A: a", fail, "Protocol:OIDC")}, VerdictFailed, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := summarize(types.Report{SuiteSucceeded: false, SpecReports: tc.specs}, nil, time.Now())
			if s.Verdict != tc.verdict || s.Failed != tc.failed || s.Warnings != tc.warn {
				t.Errorf("verdict %s, %d failed, %d warnings; want %s, %d, %d", s.Verdict, s.Failed, s.Warnings, tc.verdict, tc.failed, tc.warn)
			}
		})
	}
}

func TestSelectedReportCarriesLevelProperties(t *testing.T) {
	t.Parallel()
	r := selected(types.Report{SpecReports: []types.SpecReport{spec("SCIM-B: b", types.SpecStateFailed, "Profile:okta-oin", "Level:must")}}, nil)
	got := map[string]string{}
	for _, e := range r.SpecReports[0].ReportEntries {
		got[e.Name] = e.Value.String()
	}
	if got["level"] != "must" || got["outcome"] != "warning" {
		t.Errorf("entries %v, want level must and outcome warning", got)
	}
}

func TestSpecReference(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"SCIM-USR-GET: answers GET /Users/{id} (Okta SPEC tests 2 and 7, RFC 7644 §3.4.1)": "Okta SPEC tests 2 and 7, RFC 7644 §3.4.1",
		"SCIM-OKTA-SPEC-03: Required Test: Test invalid User by username":                  oktaSPECRef + ", step 3",
		"OIDC-X: no reference here": "",
	} {
		id, _ := splitSpecText(text)
		if got := specReference(id, text); got != want {
			t.Errorf("specReference(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestBrowserSpecsMarked: a spec under a container labelled Browser is marked as having driven
// Chromium, in the summary's specs and in report.html; a headless spec is not.
func TestBrowserSpecsMarked(t *testing.T) {
	inBrowser := spec("SSO-A: a", types.SpecStatePassed)
	inBrowser.ContainerHierarchyLabels = [][]string{{Browser[0]}}
	headless := spec("SSO-B: b", types.SpecStatePassed)
	s := summarize(types.Report{SpecReports: types.SpecReports{inBrowser, headless}}, nil, time.Now())
	if len(s.Specs) != 2 || !s.Specs[0].Browser || s.Specs[1].Browser {
		t.Fatalf("got %+v, want SSO-A marked as a browser spec and SSO-B not", s.Specs)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := writeHTMLReport(path, "suite", s, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "(in Chromium)"); n != 1 {
		t.Fatalf("report.html marks %d specs as run in Chromium, want 1", n)
	}
}
