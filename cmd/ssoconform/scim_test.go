package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/scimfault"
)

// TestMain lets the self-test run this test binary as the ssoconform CLI: Ginkgo runs one suite per
// process, so every CLI run needs its own process.
func TestMain(m *testing.M) {
	if os.Getenv("SSOCONFORM_SELFTEST_CLI") == "1" {
		err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
		var cr cannotRun
		switch {
		case errors.Is(err, errUsage):
			os.Exit(2)
		case errors.As(err, &cr):
			fmt.Fprintln(os.Stderr, "ssoconform:", err)
			os.Exit(3)
		case err != nil:
			fmt.Fprintln(os.Stderr, "ssoconform:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSCIMUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("secret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"scim", "--url", "http://127.0.0.1:1/scim/v2", "--token-file", tok}
	tests := []struct {
		name string
		args []string
	}{
		{"no url", []string{"scim", "--token-file", tok}},
		{"no token file", []string{"scim", "--url", "http://127.0.0.1:1/scim/v2"}},
		{"missing token file", []string{"scim", "--url", "http://x.test/scim/v2", "--token-file", filepath.Join(dir, "nope")}},
		{"empty token file", []string{"scim", "--url", "http://x.test/scim/v2", "--token-file", empty}},
		{"relative url", []string{"scim", "--url", "scim/v2", "--token-file", tok}},
		{"bad profile", append(slices.Clone(base), "--profile", "entra")},
		{"bad feature", append(slices.Clone(base), "--features", "groups,bulk")},
		{"bad auth scheme", append(slices.Clone(base), "--auth-scheme", "basic")},
		{"second url alone", append(slices.Clone(base), "--second-url", "http://127.0.0.1:1/scim/v2")},
		{"bad label filter", append(slices.Clone(base), "--label-filter", "Kind:(")},
		{"unknown flag", append(slices.Clone(base), "--nope")},
		{"stray argument", append(slices.Clone(base), "extra")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			if !errors.Is(err, errUsage) {
				t.Fatalf("run(%q) = %v, want a usage error; stderr: %s", tc.args, err, stderr.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), "secret-token") {
				t.Errorf("the token was printed")
			}
		})
	}
}

func TestSCIMFlagsBuildTheTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := scimFlags{url: "https://app.test/scim/v2/", tokenFile: tok, profile: "okta-aiw", features: "groups, patch",
		authScheme: "header", secondURL: "https://app.test/scim/v2", secondTokenFile: "-", reportDir: "out", focus: "SCIM-USR-"}
	run, err := f.toRun(strings.NewReader("def"))
	if err != nil {
		t.Fatal(err)
	}
	tg := run.Target
	if tg.BaseURL != "https://app.test/scim/v2" || tg.Authorization != "abc" || tg.Flavour != harness.FlavourOktaAIW {
		t.Errorf("target = %+v", tg)
	}
	if !tg.Has(harness.FeatureGroups) || !tg.Has(harness.FeaturePatch) || tg.Has(harness.FeatureDiscovery) {
		t.Errorf("features = %v", tg.Features)
	}
	if tg.Second == nil || tg.Second.Authorization != "def" {
		t.Errorf("second = %+v", tg.Second)
	}
	if len(run.Focus) != 1 || run.Focus[0] != "SCIM-USR-" || run.ReportDir != "out" {
		t.Errorf("run = %+v", run)
	}
}

// selfTestCases is the broken-target table: each mutation of the target and the specs named for that
// defect, which must all fail through it. Every other spec of the profile must pass or be blocked
// (skipped as "blocked by SCIM-..."): a failure outside the list is a cascade and fails the self-test,
// as does a listed spec that passes. At most 3 specs per mutation.
var selfTestCases = []struct {
	mutation scimfault.Mutation
	profile  harness.SCIMFlavour
	fail     []string
}{
	{scimfault.CountsAsStrings, harness.FlavourOktaOIN, []string{"SCIM-LIST-SHAPE", "SCIM-OKTA-SPEC-01"}},
	{scimfault.ItemsPerPageEcho, harness.FlavourOktaOIN, []string{"SCIM-LIST-PAST-END"}},
	{scimfault.CreateWithoutID, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-201", "SCIM-GRP-CREATE", "SCIM-OKTA-SPEC-06"}},
	{scimfault.CreateWithoutMeta, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-201", "SCIM-GRP-CREATE"}},
	{scimfault.EmptyFilter404, harness.FlavourOktaOIN, []string{"SCIM-FLT-NOMATCH", "SCIM-OKTA-SPEC-03", "SCIM-OKTA-SPEC-05"}},
	{scimfault.EchoPassword, harness.FlavourOktaOIN, []string{"SCIM-USR-PASSWORD-NEVER"}},
	{scimfault.EchoUnknownAttrs, harness.FlavourOktaOIN, []string{"SCIM-USR-EXTRA-ATTRS"}},
	{scimfault.CaseSensitiveFilter, harness.FlavourOktaOIN, []string{"SCIM-FLT-CASE"}},
	{scimfault.FilterIgnored, harness.FlavourOktaOIN, []string{"SCIM-FLT-NOMATCH", "SCIM-OKTA-SPEC-03", "SCIM-OKTA-SPEC-05"}},
	{scimfault.InvalidFilterAs200, harness.FlavourOktaOIN, []string{"SCIM-FLT-INVALID"}},
	{scimfault.ConflictAs201, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-409", "SCIM-OKTA-SPEC-08"}},
	{scimfault.NoUniquenessType, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-409", "SCIM-USR-PUT-409"}},
	{scimfault.NumericErrorStatus, harness.FlavourOktaOIN, []string{"SCIM-USR-GET-404"}},
	{scimfault.HTMLErrors, harness.FlavourOktaOIN, []string{"SCIM-USR-GET-404", "SCIM-CT-RESPONSE", "SCIM-OKTA-SPEC-04"}},
	{scimfault.LeakInternals, harness.FlavourOktaOIN, []string{"SCIM-ERR-MALFORMED", "SCIM-FLT-INVALID"}},
	{scimfault.NoWWWAuthenticate, harness.FlavourOktaOIN, []string{"SCIM-AUTH-CHALLENGE"}},
	{scimfault.AcceptAnyToken, harness.FlavourOktaOIN, []string{"SCIM-AUTH-NONE", "SCIM-AUTH-BAD", "SCIM-OKTA-SPEC-11"}},
	{scimfault.AnyContentType, harness.FlavourOktaOIN, []string{"SCIM-CT-415"}},
	{scimfault.LowercaseUserName, harness.FlavourOktaOIN, []string{"SCIM-USR-USERNAME-EXACT", "SCIM-OKTA-SPEC-06", "SCIM-OKTA-SPEC-07"}},
	{scimfault.ReversedPages, harness.FlavourOktaOIN, []string{"SCIM-LIST-PAGES"}},
	{scimfault.PastEndError, harness.FlavourOktaOIN, []string{"SCIM-LIST-PAST-END"}},
	{scimfault.DeactivateHides, harness.FlavourOktaOIN, []string{"SCIM-USR-DEACTIVATE"}},
	{scimfault.DeactivateHides, harness.FlavourOktaAIW, []string{"SCIM-USR-DEACTIVATE"}},
	{scimfault.PatchIgnored, harness.FlavourOktaOIN, []string{"SCIM-USR-PATCH-PROFILE", "SCIM-USR-DEACTIVATE", "SCIM-GRP-PATCH-ADD"}},
	{scimfault.PutIgnored, harness.FlavourOktaAIW, []string{"SCIM-USR-PUT", "SCIM-USR-DEACTIVATE", "SCIM-GRP-PUT-MEMBERS"}},
	{scimfault.GroupDeleteIgnored, harness.FlavourOktaOIN, []string{"SCIM-GRP-DELETE"}},
	{scimfault.GroupMembersDropped, harness.FlavourOktaOIN, []string{"SCIM-GRP-PATCH-ADD"}},
	{scimfault.TenantLeak, harness.FlavourOktaOIN, []string{"SCIM-TEN-GET"}},
	{scimfault.DiscoveryNoSchemaURN, harness.FlavourOktaOIN, []string{"SCIM-DISC-SPC"}},
	{scimfault.NoRateLimit, harness.FlavourOktaOIN, []string{"SCIM-ERR-429"}},
	{scimfault.RetryAfterDate, harness.FlavourOktaOIN, []string{"SCIM-ERR-429"}},
}

// rateLimitMutations are the only mutations the rate-limit spec (a 20 s burst) runs for.
var rateLimitMutations = []scimfault.Mutation{scimfault.NoRateLimit, scimfault.RetryAfterDate}

// TestSelfTestBrokenTargets proves the SCIM specs fail when they should, and only those: the whole
// profile passes against the reference app, and through each broken proxy exactly the specs named for
// the mutation fail while every other spec passes or is blocked. It needs the reference app (built, or
// SSOCONFORM_REFAPP_BIN) and runs the CLI once per case.
func TestSelfTestBrokenTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack and runs the CLI per mutation")
	}
	env := startSelfTestStack(t)
	t.Run("baseline", func(t *testing.T) {
		for _, p := range []harness.SCIMFlavour{harness.FlavourOktaOIN, harness.FlavourOktaAIW} {
			states, _, _ := env.runCLIWith(t, env.a.BaseURL, p)
			for id, st := range states {
				if st != "passed" {
					t.Errorf("%s [%s] is %s against the reference app: the self-test cannot prove it fails for the right reason", id, p, st)
				}
			}
		}
	})
	for _, c := range selfTestCases {
		t.Run(string(c.mutation)+"/"+string(c.profile), func(t *testing.T) {
			if len(c.fail) > 3 {
				t.Errorf("%d specs named for one mutation; one defect should fail at most 3", len(c.fail))
			}
			proxy, err := scimfault.New(scimfault.Config{Target: env.a.BaseURL, Mutation: c.mutation,
				Authorization: env.a.Authorization, LeakAuthorization: env.b.Authorization})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(proxy)
			defer srv.Close()
			var extra []string
			if !slices.Contains(rateLimitMutations, c.mutation) {
				extra = []string{"--label-filter", "!Feature:rate-limit"}
			}
			got, _, _ := env.runCLIWith(t, srv.URL+"/scim/v2", c.profile, extra...)
			for _, id := range c.fail {
				if got[id] != "failed" {
					t.Errorf("%s is %q through mutation %s, want failed", id, got[id], c.mutation)
				}
			}
			for id, st := range got {
				if st != "passed" && st != "skipped" && !slices.Contains(c.fail, id) {
					t.Errorf("cascade: %s is %s through mutation %s, which names only %v", id, st, c.mutation, c.fail)
				}
			}
		})
	}
}

type selfTestEnv struct {
	a, b, c harness.SCIMTarget // c's key is the one the rate-limit spec exhausts
	dir     string
}

func startSelfTestStack(t *testing.T) selfTestEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := os.Getenv("SSOCONFORM_REFAPP_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "refapp")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/ssoconform/ssoconform/cmd/refapp").CombinedOutput()
		if err != nil {
			t.Fatalf("build refapp: %v\n%s", err, out)
		}
	}
	st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: bin, Dir: t.TempDir(), NoBrowser: true,
		RefAppArgs: []string{"--scim-rate-limit", "1000", "--scim-rate-burst", "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = st.Close(ctx)
	})
	a, err := st.NewTenant(ctx, harness.TenantSpec{Name: "selfa"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.NewTenant(ctx, harness.TenantSpec{Name: "selfb"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.NewTenant(ctx, harness.TenantSpec{Name: "selfc"})
	if err != nil {
		t.Fatal(err)
	}
	return selfTestEnv{a: a.SCIM, b: b.SCIM, c: c.SCIM, dir: t.TempDir()}
}

var runCount int

// runCLIWith runs `ssoconform scim` against base with every feature and the extra flags, and returns
// each spec's state from junit.xml, the output and the exit status (0 or 1; anything else fails t).
func (e selfTestEnv) runCLIWith(t *testing.T, base string, p harness.SCIMFlavour, extra ...string) (map[string]string, string, int) {
	t.Helper()
	runCount++
	dir := filepath.Join(e.dir, fmt.Sprintf("run%d", runCount))
	tokA, tokB, tokC := filepath.Join(e.dir, "a.token"), filepath.Join(e.dir, "b.token"), filepath.Join(e.dir, "c.token")
	for path, auth := range map[string]string{tokA: e.a.Authorization, tokB: e.b.Authorization, tokC: e.c.Authorization} {
		if err := os.WriteFile(path, []byte(strings.TrimPrefix(auth, "Bearer ")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"scim", "--url", base, "--token-file", tokA, "--profile", string(p), "--features", "all",
		"--second-url", e.b.BaseURL, "--second-token-file", tokB, "--throttle-token-file", tokC, "--report-dir", dir}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SSOCONFORM_SELFTEST_CLI=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	code := 0
	if err != nil {
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("ssoconform scim: %v\n%s", err, out)
		}
		code = 1
	}
	if !bytes.Contains(out, []byte("verdict: ")) {
		t.Fatalf("no verdict line in the output:\n%s", out)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report %s: %v", f, err)
		}
	}
	return junitStates(t, filepath.Join(dir, "junit.xml")), string(out), code
}

var idPattern = regexp.MustCompile(`\b(SCIM-[A-Z0-9-]+[A-Z0-9]):`)

// junitStates reads spec ID -> status from a Ginkgo JUnit report.
func junitStates(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name   string `xml:"name,attr"`
				Status string `xml:"status,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	states := map[string]string{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if m := idPattern.FindStringSubmatch(c.Name); m != nil {
				states[m[1]] = c.Status
			}
		}
	}
	return states
}
