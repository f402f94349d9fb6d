package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/defence"
)

// The SSO self-test proves the app-side specs (SSO, settings, provisioning) fail when they should, as
// TestSelfTestBrokenTargets does for the SCIM specs: refapp is built with the selftest tag, which lets
// one named defence be switched off (refapp/defence), and for each defence the conformance suite runs
// the specs that must catch it, plus controls, against a refapp with that one defence off. Each
// catching spec must fail and every control must pass; a baseline run with every defence on must pass
// them all. The test prints the table (defence, the specs that caught it) and fails on any defence no
// spec catches. It is slow (one suite run per defence), so it runs only when SSOCONFORM_SELFTEST_SSO=1
// (`make selftest`).

// ssoDefenceCase is one defence and the spec IDs that must fail when it is off.
type ssoDefenceCase struct {
	defence defence.Name
	catch   []string
}

var ssoDefenceCases = []ssoDefenceCase{
	{defence.Nonce, []string{"OIDC-NEG-NONCE-WRONG", "OIDC-NEG-NONCE-MISSING"}},
	{defence.Audience, []string{"OIDC-NEG-AUD-WRONG", "OIDC-NEG-AUD-MISSING", "OIDC-NEG-AUD-EXTRA"}},
	{defence.Signature, []string{"OIDC-NEG-SIG-CORRUPT", "OIDC-NEG-SIG-OTHER-KEY"}},
	{defence.PlanGate, []string{"ORG-FREE-PLAN"}},
	{defence.RequireSSO, []string{"SSO-ENFORCE-PASSWORD", "SSO-ENFORCE-REFUSES-NEWCOMER"}},
	{defence.RequireSSOMembers, []string{"SSO-ENFORCE-MEMBER-IN"}},
	{defence.LinkMail, []string{"SSO-LINK-EMAIL"}},
	{defence.SCIMScope, []string{"APIKEY-SCIM-SCOPE"}},
	{defence.SyncToggle, []string{"SSO-SYNC-TOGGLE"}},
	{defence.Sanitization, []string{"SSO-SANITIZE-PUSHED", "SSO-SANITIZE-JIT"}},
	{defence.DefaultRole, []string{"PROV-OIN-PUSH-NEW", "PROV-AIW-PUSH-NEW", "OIDC-SSO-JIT", "SAML-SSO-JIT"}},
	{defence.State, []string{"OIDC-NEG-STATE-OTHER-BROWSER"}},
	{defence.SAMLAudience, []string{"SAML-NEG-WRONG-AUDIENCE", "SAML-NEG-NO-AUDIENCE-RESTRICTION"}},
	{defence.EmailType, []string{"PROV-EMAIL-TYPE"}},
	{defence.SettingsSAML, []string{"SSO-SETTINGS-SAML"}},
	{defence.SettingsDefaultRole, []string{"SSO-SETTINGS-DEFAULT-ROLE"}},
	{defence.SLO, []string{"SSO-SLO-ENDS-BOTH"}},
}

// ssoControls must pass whichever defence is off: an ordinary sign-in over each protocol.
var ssoControls = []string{"OIDC-SSO-PUSH-SIGNIN", "SAML-SSO-PUSH-SIGNIN"}

func TestSelfTestSSODefences(t *testing.T) {
	if os.Getenv("SSOCONFORM_SELFTEST_SSO") != "1" {
		t.Skip("runs the conformance suite once per refapp defence; `make selftest` sets SSOCONFORM_SELFTEST_SSO=1")
	}
	for _, n := range defence.All() {
		if !slices.ContainsFunc(ssoDefenceCases, func(c ssoDefenceCase) bool { return c.defence == n }) {
			t.Errorf("defence %s has no spec that must catch it", n)
		}
	}
	dir := t.TempDir()
	refapp, specsBin := buildSelfTest(t, dir)
	var all []string
	for _, c := range ssoDefenceCases {
		all = append(all, c.catch...)
	}
	all = append(all, ssoControls...)

	baseline := runSpecs(t, specsBin, refapp, filepath.Join(dir, "baseline"), "", all)
	for _, id := range all {
		if baseline[id] != "passed" {
			t.Errorf("baseline: %s is %q with every defence on; it must pass before it can prove anything", id, baseline[id])
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-22s %-8s %s\n", "DEFENCE OFF", "VERDICT", "SPECS THAT CAUGHT IT (must catch: all listed)")
	for _, c := range ssoDefenceCases {
		got := runSpecs(t, specsBin, refapp, filepath.Join(dir, string(c.defence)), c.defence, append(slices.Clone(c.catch), ssoControls...))
		var caught, missed []string
		for _, id := range c.catch {
			if got[id] == "failed" {
				caught = append(caught, id)
			} else {
				missed = append(missed, id+"("+got[id]+")")
			}
		}
		verdict := "caught"
		if len(caught) == 0 {
			verdict = "MISSED"
			t.Errorf("defence %s off: no spec caught it (%v)", c.defence, missed)
		} else if len(missed) > 0 {
			verdict = "partly"
			t.Errorf("defence %s off: these specs must fail and did not: %v", c.defence, missed)
		}
		for _, id := range ssoControls {
			if got[id] != "passed" {
				verdict = "BROKE " + id
				t.Errorf("defence %s off: control %s is %q; only the specs named for the defence may fail", c.defence, id, got[id])
			}
		}
		fmt.Fprintf(&table, "%-22s %-8s %s\n", c.defence, verdict, strings.Join(caught, " "))
	}
	t.Logf("SSO self-test (refapp built with -tags selftest, one defence off per run):\n%s", table.String())
	fmt.Print(table.String())
}

// buildSelfTest builds refapp with the selftest tag and the conformance specs' test binary.
func buildSelfTest(t *testing.T, dir string) (refapp, specsBin string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	refapp, specsBin = filepath.Join(dir, "refapp-selftest"), filepath.Join(dir, "specs.test")
	for _, args := range [][]string{
		{"build", "-tags", "selftest", "-o", refapp, "github.com/ssoconform/ssoconform/cmd/refapp"},
		{"test", "-c", "-o", specsBin, "github.com/ssoconform/ssoconform/specs"},
	} {
		if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	return refapp, specsBin
}

// runSpecs runs the specs with these IDs against the self-test refapp with one defence off ("" for
// none) and returns each ID's final state ("passed", "failed", ...; "" when it did not run).
func runSpecs(t *testing.T, specsBin, refapp, dir string, off defence.Name, ids []string) map[string]string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = regexp.QuoteMeta(id) + ":"
	}
	report := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, specsBin, "-test.run", "^TestConformance$", "-test.timeout", "20m",
		"-ginkgo.focus", strings.Join(quoted, "|"), "-ginkgo.json-report", report, "-ginkgo.no-color")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SSOCONFORM_REFAPP_BIN="+refapp, "SSOCONFORM_REPORT_DIR="+dir,
		"REFAPP_SELFTEST_DEFENCES_OFF="+string(off))
	out, err := cmd.CombinedOutput()
	if err := os.WriteFile(filepath.Join(dir, "output.txt"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	states, rerr := specStates(report)
	if rerr != nil {
		t.Fatalf("defence %q: no report (%v); suite exit: %v\n%s", off, rerr, err, tailOf(out, 3000))
	}
	got := map[string]string{}
	for _, id := range ids {
		got[id] = states[id]
	}
	return got
}

// specStates reads a Ginkgo JSON report into spec ID -> state.
func specStates(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var reports []struct {
		SpecReports []struct {
			LeafNodeText string
			State        string
		}
	}
	if err := json.Unmarshal(b, &reports); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	out := map[string]string{}
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if id, _, ok := strings.Cut(s.LeafNodeText, ":"); ok {
				out[id] = s.State
			}
		}
	}
	return out, nil
}

func tailOf(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
