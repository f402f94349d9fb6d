package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// partnerTest is the test file a partner writes in their own module, as the README shows it.
const partnerTest = `package partner

import (
	"os"
	"testing"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/specs"
)

func TestOurSCIMServer(t *testing.T) {
	specs.Test(t, specs.Config{
		ReportDir: os.Getenv("PARTNER_REPORT_DIR"),
		SCIM: &harness.SCIMTarget{
			BaseURL:       os.Getenv("PARTNER_SCIM_URL"),
			Authorization: "Bearer " + os.Getenv("PARTNER_SCIM_TOKEN"),
			Flavour:       harness.FlavourOktaOIN,
			Features:      []harness.SCIMFeature{harness.FeatureGroups},
		},
	})
}
`

// TestPartnerModuleRunsTheSCIMSpecs builds a throw-away module outside the repository whose go.mod
// replaces ours, and runs its `go test` (specs.Test with a SCIM target) against refapp: the profile's
// specs that need no reference stack run and pass, none panics for want of a stack.
func TestPartnerModuleRunsTheSCIMSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module and starts the reference stack")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go \S+$`).FindString(readFile(t, filepath.Join(repo, "go.mod")))
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/partner\n\n"+goLine+"\n\nrequire github.com/ssoconform/ssoconform v0.0.0\n\n"+
		"replace github.com/ssoconform/ssoconform => "+repo+"\n")
	write("go.sum", readFile(t, filepath.Join(repo, "go.sum")))
	write("partner_test.go", partnerTest)
	goCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		return cmd
	}
	if out, err := goCmd("mod", "tidy").CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the partner module: %v\n%s", err, out)
	}

	env := startSelfTestStack(t)
	reports := filepath.Join(dir, "reports")
	cmd := goCmd("test", "-v", "-count=1", "-timeout=15m", ".")
	cmd.Env = append(cmd.Env, "PARTNER_SCIM_URL="+env.a.BaseURL,
		"PARTNER_SCIM_TOKEN="+strings.TrimPrefix(env.a.Authorization, "Bearer "), "PARTNER_REPORT_DIR="+reports)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the partner's go test failed: %v\n%s", err, tail(string(out), 4000))
	}
	text := string(out)
	ran := regexp.MustCompile(`Ran (\d+) of \d+ Specs`).FindStringSubmatch(text)
	if ran == nil || ran[1] == "0" || strings.Contains(text, "panic") {
		t.Errorf("want the profile's specs run without a panic:\n%s", tail(text, 4000))
	}
	if _, err := os.Stat(filepath.Join(reports, "junit.xml")); err != nil {
		t.Errorf("no junit.xml in the partner's report directory: %v", err)
	}
	states := junitStates(t, filepath.Join(reports, "junit.xml"))
	if len(states) < 40 {
		t.Errorf("%d SCIM specs in junit.xml, want the okta-oin profile's (more than 40)", len(states))
	}
	for id, st := range states {
		if st != "passed" && st != "skipped" {
			t.Errorf("%s is %s against refapp from the partner's module", id, st)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
