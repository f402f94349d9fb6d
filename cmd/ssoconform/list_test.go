package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/ssoconform/ssoconform/specs"
)

// cli runs this test binary as ssoconform (see TestMain) and returns its standard output.
func cli(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SSOCONFORM_SELFTEST_CLI=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssoconform %v: %v", args, err)
	}
	return out
}

// TestCatalogueEverySpecHasIDLevelReference: every SCIM spec in `ssoconform list --json` has an ID, a
// level, a profile and a reference.
func TestCatalogueEverySpecHasIDLevelReference(t *testing.T) {
	t.Parallel()
	var cat []specs.SCIMSpec
	if err := json.Unmarshal(cli(t, "list", "--json"), &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat) < 80 {
		t.Errorf("%d specs in the catalogue, want every SCIM spec", len(cat))
	}
	for _, s := range cat {
		if !idPattern.MatchString(s.ID+":") || !slices.Contains(specs.Levels, s.Level) || len(s.Profiles) == 0 || s.Reference == "" || s.Requirement == "" {
			t.Errorf("%+v: want an ID, a level, a profile, a requirement and a reference", s)
		}
	}
	var aiw []specs.SCIMSpec
	if err := json.Unmarshal(cli(t, "list", "--profile", "okta-aiw", "--json"), &aiw); err != nil {
		t.Fatal(err)
	}
	for _, s := range aiw {
		if !slices.Contains(s.Profiles, "okta-aiw") {
			t.Errorf("%s listed for --profile okta-aiw but registered in %v", s.ID, s.Profiles)
		}
	}
	if len(aiw) == 0 || len(aiw) >= len(cat) {
		t.Errorf("--profile okta-aiw lists %d of %d specs", len(aiw), len(cat))
	}
}

// TestDocsConformanceIsCurrent fails when docs/conformance.md is not what `make docs` writes now.
func TestDocsConformanceIsCurrent(t *testing.T) {
	t.Parallel()
	want := cli(t, "list", "--markdown")
	got, err := os.ReadFile("../../docs/conformance.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("docs/conformance.md is out of date: run make docs")
	}
}
