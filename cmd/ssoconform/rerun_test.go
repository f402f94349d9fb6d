package main

import (
	"maps"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/scimfault"
	"github.com/ssoconform/ssoconform/specs"
)

// TestSpecsRunTwiceInOneProcess runs the SCIM specs twice in this test's own process (the suite's
// state lives in the value specs.Register builds, not in package variables), against two targets:
// refapp's organization, then the same organization behind a proxy that compares userName
// case-sensitively. Each run reports on its own target only: the first passes, the second fails
// SCIM-FLT-CASE and nothing else, and the two runs name what they create with their own prefixes.
func TestSpecsRunTwiceInOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack")
	}
	env := startSelfTestStack(t)
	proxy, err := scimfault.New(scimfault.Config{Target: env.a.BaseURL, Mutation: scimfault.CaseSensitiveFilter,
		Authorization: env.a.Authorization})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	broken := env.a
	broken.BaseURL = srv.URL + "/scim/v2"

	focus := []string{"SCIM-FLT-CASE:", "SCIM-FLT-EQ:", "SCIM-USR-CREATE-201:"}
	run := func(target harness.SCIMTarget, name string) specs.Summary {
		t.Helper()
		sum, err := specs.RunSCIM(specs.SCIMRun{Target: target, Focus: focus,
			ReportDir: filepath.Join(env.dir, name), Prefix: "rerun-" + name})
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		return sum
	}
	first := run(env.a, "first")
	second := run(broken, "second")

	states := func(sum specs.Summary) map[string]string {
		m := map[string]string{}
		for _, r := range sum.Specs {
			m[r.ID] = r.State
		}
		return m
	}
	want := map[string]string{"SCIM-FLT-CASE": "passed", "SCIM-FLT-EQ": "passed", "SCIM-USR-CREATE-201": "passed"}
	if got := states(first); !maps.Equal(got, want) {
		t.Errorf("first run against refapp: got %v, want %v", got, want)
	}
	want["SCIM-FLT-CASE"] = "failed"
	if got := states(second); !maps.Equal(got, want) {
		t.Errorf("second run through the case-sensitive proxy: got %v, want %v", got, want)
	}
	if first.Verdict != specs.VerdictConformant || second.Verdict != specs.VerdictFailed {
		t.Errorf("verdicts %q then %q, want %q then %q", first.Verdict, second.Verdict, specs.VerdictConformant, specs.VerdictFailed)
	}
	if first.Prefix != "rerun-first" || second.Prefix != "rerun-second" {
		t.Errorf("prefixes %q then %q: each run must name what it creates with its own", first.Prefix, second.Prefix)
	}
	// without user-delete declared the users stay, deactivated, as Okta leaves them: each run lists
	// its own, and only those
	for _, sum := range []specs.Summary{first, second} {
		if len(sum.Leftovers) != 3 {
			t.Errorf("run %s lists %d leftovers, want its 3 deactivated users: %v", sum.Prefix, len(sum.Leftovers), sum.Leftovers)
		}
		for _, l := range sum.Leftovers {
			if !strings.Contains(l.Name, sum.Prefix+"-") {
				t.Errorf("run %s lists %s, which another run made", sum.Prefix, l)
			}
		}
	}
	if states := junitStates(t, filepath.Join(env.dir, "second", "junit.xml")); states["SCIM-FLT-CASE"] != "failed" || len(states) != 3 {
		t.Errorf("the second run's junit.xml: %v, want its own 3 specs with SCIM-FLT-CASE failed", states)
	}
}
