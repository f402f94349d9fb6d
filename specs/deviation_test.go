package specs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func TestParseDeviations(t *testing.T) {
	t.Parallel()
	good := "- id: SCIM-AUTH-CHALLENGE\n  reason: our gateway strips WWW-Authenticate\n  expires: 2027-01-31\n"
	devs, err := ParseDeviations([]byte(good))
	if err != nil || len(devs) != 1 || devs[0].ID != "SCIM-AUTH-CHALLENGE" || devs[0].Expires != "2027-01-31" {
		t.Fatalf("ParseDeviations(good) = %+v, %v", devs, err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"bad YAML names the line": {"- id: SCIM-A\n  reason: r\n  expires: [2027\n", "line 3, column"},
		"unknown field":           {"- id: SCIM-A\n  reason: r\n  expires: 2027-01-01\n  until: x\n", "until"},
		"missing reason":          {"- id: SCIM-A\n  expires: 2027-01-01\n", "reason is required"},
		"missing id":              {"- reason: r\n  expires: 2027-01-01\n", "id is required"},
		"bad date":                {"- id: SCIM-A\n  reason: r\n  expires: 31/01/2027\n", "want a date YYYY-MM-DD"},
		"twice":                   {"- {id: SCIM-A, reason: r, expires: 2027-01-01}\n- {id: SCIM-A, reason: r, expires: 2027-01-01}\n", "declared twice"},
		"not a list":              {"id: SCIM-A\n", "line 1, column"},
	} {
		_, err := ParseDeviations([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

func TestDeviationExpiresAfterItsLastDay(t *testing.T) {
	t.Parallel()
	d := Deviation{ID: "SCIM-A", Reason: "r", Expires: "2026-12-05"}
	if d.expired(time.Date(2026, 12, 5, 23, 59, 0, 0, time.UTC)) {
		t.Error("expired on its last day")
	}
	if !d.expired(time.Date(2026, 12, 6, 0, 0, 1, 0, time.UTC)) {
		t.Error("not expired the day after")
	}
}

func TestSummarizeWeighsDeviations(t *testing.T) {
	t.Parallel()
	oin := "Profile:okta-oin"
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	dev := func(id, expires string) Deviation { return Deviation{ID: id, Reason: "known gap", Expires: expires} }
	tests := []struct {
		name     string
		specs    []types.SpecReport
		devs     []Deviation
		verdict  string
		deviated int
		stale    string // part of the one stale sentence, or "" for none
	}{
		{"a deviated okta failure does not fail the verdict",
			[]types.SpecReport{spec("SCIM-A: a", types.SpecStateFailed, oin, "Level:okta"), spec("SCIM-B: b", types.SpecStatePassed, oin, "Level:okta")},
			[]Deviation{dev("SCIM-A", "2027-01-01")}, VerdictConformant, 1, ""},
		{"a deviated spec that passes fails the run",
			[]types.SpecReport{spec("SCIM-A: a", types.SpecStatePassed, oin, "Level:okta")},
			[]Deviation{dev("SCIM-A", "2027-01-01")}, VerdictFailed, 0, "SCIM-A is stale"},
		{"an expired entry fails the run and the spec counts again",
			[]types.SpecReport{spec("SCIM-A: a", types.SpecStateFailed, oin, "Level:okta")},
			[]Deviation{dev("SCIM-A", "2026-12-04")}, VerdictFailed, 0, "SCIM-A expired on 2026-12-04"},
		{"an unknown spec ID fails the run",
			[]types.SpecReport{spec("SCIM-A: a", types.SpecStatePassed, oin, "Level:okta")},
			[]Deviation{dev("SCIM-NOPE", "2027-01-01")}, VerdictFailed, 0, "SCIM-NOPE names no spec"},
		{"an entry for a spec outside the selection is neither stale nor deviated",
			[]types.SpecReport{spec("SCIM-A: a", types.SpecStatePassed, oin, "Level:okta"), {LeafNodeType: types.NodeTypeIt, LeafNodeText: "SCIM-B: b", State: types.SpecStateSkipped}},
			[]Deviation{dev("SCIM-B", "2027-01-01")}, VerdictConformant, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := summarize(types.Report{SuiteSucceeded: false, SpecReports: tc.specs}, tc.devs, now)
			if s.Verdict != tc.verdict || s.Deviated != tc.deviated {
				t.Errorf("verdict %s, %d deviated; want %s, %d", s.Verdict, s.Deviated, tc.verdict, tc.deviated)
			}
			if tc.stale == "" && len(s.StaleDeviations) > 0 || tc.stale != "" &&
				(len(s.StaleDeviations) != 1 || !strings.Contains(s.StaleDeviations[0], tc.stale)) {
				t.Errorf("stale %q, want one sentence with %q", s.StaleDeviations, tc.stale)
			}
		})
	}
}

func TestSelectedReportCarriesDeviation(t *testing.T) {
	t.Parallel()
	active := map[string]Deviation{"SCIM-A": {ID: "SCIM-A", Reason: "gateway strips it", Expires: "2099-01-01"}}
	r := selected(types.Report{SpecReports: []types.SpecReport{spec("SCIM-A: a", types.SpecStateFailed, "Profile:okta-oin", "Level:okta")}}, active)
	var got []string
	for _, e := range r.SpecReports[0].ReportEntries {
		got = append(got, e.Name+"="+e.Value.String())
	}
	if !slices.Contains(got, "outcome=deviated") || !slices.Contains(got, "deviation=gateway strips it") {
		t.Errorf("entries %v, want outcome deviated and the reason", got)
	}
}
