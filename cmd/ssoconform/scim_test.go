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

// selfTestCases: each mutation of the broken target and the specs that must fail through it (and pass
// without it). Steps of Okta's SPEC test that depend on an earlier step's data are not listed alone.
var selfTestCases = []struct {
	mutation scimfault.Mutation
	profile  harness.SCIMFlavour
	specs    []string
}{
	{scimfault.CountsAsStrings, harness.FlavourOktaOIN, []string{"SCIM-LIST-CONNECTOR", "SCIM-LIST-SHAPE", "SCIM-FLT-EQ", "SCIM-FLT-NOMATCH", "SCIM-OKTA-SPEC-01", "SCIM-OKTA-SPEC-02", "SCIM-HDR-OKTA", "SCIM-LIST-GROUPS", "SCIM-LIST-BOUNDS", "SCIM-GRP-FILTER"}},
	{scimfault.CountsAsStrings, harness.FlavourOktaOIN, []string{"SCIM-OKTA-SPEC-03"}},
	{scimfault.ItemsPerPageEcho, harness.FlavourOktaOIN, []string{"SCIM-FLT-EQ", "SCIM-FLT-NOMATCH", "SCIM-LIST-PAST-END"}},
	{scimfault.CreateWithoutID, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-201", "SCIM-CT-JSON", "SCIM-OKTA-SPEC-06"}},
	{scimfault.CreateWithoutMeta, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-201"}},
	{scimfault.EmptyFilter404, harness.FlavourOktaOIN, []string{"SCIM-FLT-NOMATCH", "SCIM-OKTA-SPEC-03"}},
	{scimfault.EmptyFilter404, harness.FlavourOktaOIN, []string{"SCIM-OKTA-SPEC-05"}},
	{scimfault.EchoPassword, harness.FlavourOktaOIN, []string{"SCIM-USR-PASSWORD-NEVER"}},
	{scimfault.EchoUnknownAttrs, harness.FlavourOktaOIN, []string{"SCIM-USR-EXTRA-ATTRS"}},
	{scimfault.CaseSensitiveFilter, harness.FlavourOktaOIN, []string{"SCIM-FLT-CASE"}},
	{scimfault.FilterIgnored, harness.FlavourOktaOIN, []string{"SCIM-FLT-EQ", "SCIM-FLT-NOMATCH", "SCIM-FLT-INJECT", "SCIM-TEN-LIST", "SCIM-FLT-ENCODING", "SCIM-FLT-KEYWORD-CASE", "SCIM-FLT-SPECIAL", "SCIM-FLT-OPS", "SCIM-GRP-FILTER"}},
	{scimfault.InvalidFilterAs200, harness.FlavourOktaOIN, []string{"SCIM-FLT-INVALID"}},
	{scimfault.ConflictAs201, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-409", "SCIM-USR-CREATE-409-CASE", "SCIM-CC-CREATE", "SCIM-CC-CREATE-CASE", "SCIM-TEN-UNIQUE", "SCIM-OKTA-SPEC-08"}},
	{scimfault.NoUniquenessType, harness.FlavourOktaOIN, []string{"SCIM-USR-CREATE-409", "SCIM-CC-CREATE", "SCIM-USR-PUT-409"}},
	{scimfault.NumericErrorStatus, harness.FlavourOktaOIN, []string{"SCIM-USR-GET-404", "SCIM-AUTH-NONE", "SCIM-AUTH-BAD", "SCIM-CT-415", "SCIM-GRP-GET-404"}},
	{scimfault.HTMLErrors, harness.FlavourOktaOIN, []string{"SCIM-USR-GET-404", "SCIM-ERR-UNKNOWN-ENDPOINT", "SCIM-OKTA-SPEC-04", "SCIM-CT-RESPONSE"}},
	{scimfault.HTMLErrors, harness.FlavourOktaOIN, []string{"SCIM-OKTA-SPEC-12"}},
	{scimfault.LeakInternals, harness.FlavourOktaOIN, []string{"SCIM-USR-GET-404", "SCIM-FLT-INVALID", "SCIM-USR-CREATE-409"}},
	{scimfault.NoWWWAuthenticate, harness.FlavourOktaOIN, []string{"SCIM-AUTH-CHALLENGE"}},
	{scimfault.AcceptAnyToken, harness.FlavourOktaOIN, []string{"SCIM-AUTH-NONE", "SCIM-AUTH-BAD", "SCIM-AUTH-QUERY", "SCIM-OKTA-SPEC-11"}},
	{scimfault.AnyContentType, harness.FlavourOktaOIN, []string{"SCIM-CT-415"}},
	{scimfault.LowercaseUserName, harness.FlavourOktaOIN, []string{"SCIM-USR-USERNAME-EXACT"}},
	{scimfault.ReversedPages, harness.FlavourOktaOIN, []string{"SCIM-LIST-PAGES"}},
	{scimfault.PastEndError, harness.FlavourOktaOIN, []string{"SCIM-LIST-PAST-END"}},
	{scimfault.DeactivateHides, harness.FlavourOktaOIN, []string{"SCIM-USR-DEACTIVATE", "SCIM-USR-REACTIVATE", "SCIM-USR-LIFECYCLE", "SCIM-USR-PATCH-ACTIVE-PATH"}},
	{scimfault.DeactivateHides, harness.FlavourOktaAIW, []string{"SCIM-USR-DEACTIVATE", "SCIM-USR-REACTIVATE"}},
	{scimfault.PatchIgnored, harness.FlavourOktaOIN, []string{"SCIM-USR-DEACTIVATE", "SCIM-USR-PATCH-PROFILE", "SCIM-USR-PATCH-PATHS", "SCIM-USR-PATCH-ACTIVE-PATH", "SCIM-GRP-PATCH-ADD", "SCIM-GRP-PATCH-RENAME", "SCIM-GRP-PATCH-REMOVE", "SCIM-GRP-PATCH-IDEMPOTENT"}},
	{scimfault.PutIgnored, harness.FlavourOktaAIW, []string{"SCIM-USR-PUT", "SCIM-USR-DEACTIVATE", "SCIM-GRP-PUT-MEMBERS", "SCIM-GRP-PUT-RENAME"}},
	{scimfault.GroupDeleteIgnored, harness.FlavourOktaOIN, []string{"SCIM-GRP-DELETE"}},
	{scimfault.GroupMembersDropped, harness.FlavourOktaOIN, []string{"SCIM-GRP-PATCH-ADD", "SCIM-GRP-PATCH-REPLACE", "SCIM-GRP-PATCH-REMOVE", "SCIM-GRP-PATCH-REMOVE-ADD", "SCIM-GRP-PATCH-IDEMPOTENT"}},
	{scimfault.TenantLeak, harness.FlavourOktaOIN, []string{"SCIM-TEN-GET"}},
	{scimfault.DiscoveryNoSchemaURN, harness.FlavourOktaOIN, []string{"SCIM-DISC-SPC"}},
	{scimfault.HTMLErrors, harness.FlavourOktaOIN, []string{"SCIM-ERR-MALFORMED", "SCIM-ERR-USERNAME", "SCIM-ERR-413", "SCIM-USR-PATCH-ERRORS"}},
	{scimfault.NumericErrorStatus, harness.FlavourOktaOIN, []string{"SCIM-ERR-TYPES", "SCIM-FLT-INVALID", "SCIM-USR-PUT-404", "SCIM-USR-PATCH-ATOMIC", "SCIM-GRP-MEMBER-INVALID"}},
	{scimfault.NoRateLimit, harness.FlavourOktaOIN, []string{"SCIM-ERR-429"}},
	{scimfault.RetryAfterDate, harness.FlavourOktaOIN, []string{"SCIM-ERR-429"}},
}

// TestSelfTestBrokenTargets proves the SCIM specs fail when they should: each selected spec passes
// against the reference app and fails through the broken proxy. It needs the reference app (built, or
// SSOCONFORM_REFAPP_BIN) and runs the CLI once per case.
func TestSelfTestBrokenTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack and runs the CLI per mutation")
	}
	env := startSelfTestStack(t)
	baseline := map[harness.SCIMFlavour]map[string]string{}
	for _, p := range []harness.SCIMFlavour{harness.FlavourOktaOIN, harness.FlavourOktaAIW} {
		var ids []string
		for _, c := range selfTestCases {
			if c.profile == p {
				ids = append(ids, c.specs...)
			}
		}
		baseline[p] = env.runCLI(t, env.a.BaseURL, p, ids)
	}
	t.Run("baseline", func(t *testing.T) {
		for p, states := range baseline {
			for id, st := range states {
				if st != "passed" {
					t.Errorf("%s [%s] is %s against the reference app: the self-test cannot prove it fails for the right reason", id, p, st)
				}
			}
		}
	})
	for _, c := range selfTestCases {
		t.Run(string(c.mutation)+"/"+string(c.profile), func(t *testing.T) {
			var want []string
			for _, id := range c.specs {
				if baseline[c.profile][id] == "passed" {
					want = append(want, id)
				}
			}
			if len(want) == 0 {
				t.Skipf("none of %v passes against the reference app yet", c.specs)
			}
			proxy, err := scimfault.New(scimfault.Config{Target: env.a.BaseURL, Mutation: c.mutation,
				Authorization: env.a.Authorization, LeakAuthorization: env.b.Authorization})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(proxy)
			defer srv.Close()
			got := env.runCLI(t, srv.URL+"/scim/v2", c.profile, want)
			for _, id := range want {
				if got[id] != "failed" {
					t.Errorf("%s is %q through mutation %s, want failed", id, got[id], c.mutation)
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

// runCLI runs `ssoconform scim` (this binary, see TestMain) against base with the given specs focused
// and returns each spec's state from junit.xml.
func (e selfTestEnv) runCLI(t *testing.T, base string, p harness.SCIMFlavour, ids []string) map[string]string {
	t.Helper()
	states, _, _ := e.runCLIWith(t, base, p, "--focus", "("+strings.Join(ids, "|")+"):")
	return states
}

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
