package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/scimfault"
)

// TestSCIMMalformedDeviationsFile: a deviations file that does not parse ends the run before any
// request (exit status 3) with the file and the line.
func TestSCIMMalformedDeviationsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok, devs := filepath.Join(dir, "token"), filepath.Join(dir, "deviations.yaml")
	if err := os.WriteFile(tok, []byte("secret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(devs, []byte("- id: SCIM-AUTH-CHALLENGE\n  reason: r\n  expires: [2027\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"scim", "--url", "http://127.0.0.1:1/scim/v2", "--token-file", tok, "--deviations", devs}, &stdout, &stderr)
	var cr cannotRun
	if !errors.As(err, &cr) {
		t.Fatalf("run = %v, want a run that could not start (exit status 3)", err)
	}
	if !strings.Contains(err.Error(), devs) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %q, want the file %s and line 3", err, devs)
	}
}

// TestSCIMDeviations runs `ssoconform scim` against refapp behind a mutation that breaks one rule
// (no WWW-Authenticate on 401, which the rfc profile counts): without an entry the run fails; with
// an entry for SCIM-AUTH-CHALLENGE it is conformant and the spec is "deviated" in the output and the
// reports; the same entry against the correct server fails the run, naming the stale entry.
func TestSCIMDeviations(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack")
	}
	env := startSelfTestStack(t)
	broken, err := scimfault.New(scimfault.Config{Target: env.a.BaseURL, Mutation: scimfault.NoWWWAuthenticate})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(broken)
	defer srv.Close()
	devs := filepath.Join(env.dir, "deviations.yaml")
	until := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
	entry := "- id: SCIM-AUTH-CHALLENGE\n  reason: our gateway strips WWW-Authenticate\n  expires: " + until + "\n"
	if err := os.WriteFile(devs, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	auth := []string{"--focus", "SCIM-AUTH-"}

	states, out, code := env.runCLIWith(t, srv.URL+"/scim/v2", harness.FlavourRFC, auth...)
	if code != 1 || states["SCIM-AUTH-CHALLENGE"] != "failed" || !strings.Contains(out, "verdict: failed") {
		t.Fatalf("without a deviation: exit %d, SCIM-AUTH-CHALLENGE %q; want exit 1, failed\n%s", code, states["SCIM-AUTH-CHALLENGE"], out)
	}
	// output to a pipe: no progress rows, one summary naming the failed rule
	if strings.Contains(out, "[1/") || strings.Count(out, "verdict: ") != 1 || !strings.Contains(out, "failed rules: SCIM-AUTH-CHALLENGE\n") {
		t.Errorf("piped output: want no [n/N] rows and one summary with the failed rule:\n%s", out)
	}

	states, out, code = env.runCLIWith(t, srv.URL+"/scim/v2", harness.FlavourRFC, append(auth, "--deviations", devs)...)
	if code != 0 {
		t.Errorf("with the deviation: exit status %d, want 0\n%s", code, out)
	}
	for _, want := range []string{"verdict: conformant", "deviated SCIM-AUTH-CHALLENGE", "our gateway strips WWW-Authenticate", ", 1 deviated"} {
		if !strings.Contains(out, want) {
			t.Errorf("with the deviation, the output lacks %q:\n%s", want, out)
		}
	}
	if states["SCIM-AUTH-NONE"] != "passed" || states["SCIM-AUTH-BAD"] != "passed" {
		t.Errorf("the other auth specs are %v, want passed", states)
	}
	dir := filepath.Join(env.dir, fmt.Sprintf("run%d", runCount)) // the report directory of that run
	for file, want := range map[string]string{"junit.xml": `&#34;deviated&#34;`, "report.json": `"deviated"`, "report.html": ">deviated<"} {
		if raw := readFile(t, filepath.Join(dir, file)); !strings.Contains(raw, want) {
			t.Errorf("%s lacks %s", file, want)
		}
	}

	_, out, code = env.runCLIWith(t, env.a.BaseURL, harness.FlavourRFC, append(auth, "--deviations", devs)...)
	if code != 1 || !strings.Contains(out, "deviation SCIM-AUTH-CHALLENGE is stale") || !strings.Contains(out, "verdict: failed") {
		t.Errorf("against the correct server: exit %d; want 1 and the stale entry named\n%s", code, out)
	}
}
