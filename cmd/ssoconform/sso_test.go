package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// notesExpectedFailures are the gaps the catalogue finds in the notes example app (profile okta-oin),
// each a documented behaviour of the libraries it follows (README, "SSO for partners");
// notesExpectedWarnings break a MUST only a broken IdP could break (Level:must: Okta always sets what
// they leave out; the rfc profile fails them, notesRFCFailures) or a SHOULD, a MAY or a policy
// (Level:should). Nothing else may fail.
var (
	notesExpectedFailures = []string{
		"OIDC-NEG-CODE-REUSABLE", // go-oidc's example keeps the state and nonce cookies after the callback
		"OIDC-NEG-USERINFO-SUB",  // go-oidc's UserInfo does not compare sub with the ID token's
	}
	notesRFCFailures      = []string{"OIDC-NEG-AUD-EXTRA", "OIDC-NEG-IAT-MISSING", "OIDC-NEG-SUB-MISSING"}
	notesExpectedWarnings = []string{
		"OIDC-NEG-AT-HASH-WRONG",   // go-oidc checks at_hash only when the app calls VerifyAccessToken
		"OIDC-NEG-AUD-EXTRA",       // (must) go-oidc accepts any aud that contains the client ID, and never checks azp
		"OIDC-NEG-AUTHZ-ISS-WRONG", // x/oauth2 ignores the authorization response's iss (RFC 9207)
		"OIDC-NEG-IAT-FUTURE",      // go-oidc does not check iat
		"OIDC-NEG-IAT-MISSING",     // (must) go-oidc does not require iat
		"OIDC-NEG-SUB-MISSING",     // (must) go-oidc does not require sub
		"SAML-NEG-SHA1",            // goxmldsig verifies rsa-sha1 signatures and sha1 digests
	}
)

// notesExpectedSkips need an app that can be connected again; notes is connected once, at start.
var notesExpectedSkips = []string{"OIDC-NEG-DISCOVERY-ISSUER-WRONG", "SAML-NEG-CERT-EXPIRED"}

// TestSSOCatalogueNotes runs `ssoconform sso --app fixtures/apps/notes/app.yaml`: the whole catalogue
// against the partner-style example app finds exactly the expected gaps.
func TestSSOCatalogueNotes(t *testing.T) {
	dir := t.TempDir()
	out, code := runSSOCLI(t, dir, "--app", "../../fixtures/apps/notes/app.yaml")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (failures)\n%s", code, out)
	}
	failed, warned, skipped := ssoResults(out)
	if !slices.Equal(failed, notesExpectedFailures) {
		t.Errorf("failed specs:\n got %v\nwant %v\n%s", failed, notesExpectedFailures, out)
	}
	if !slices.Equal(warned, notesExpectedWarnings) {
		t.Errorf("warnings:\n got %v\nwant %v", warned, notesExpectedWarnings)
	}
	if !slices.Equal(skipped, notesExpectedSkips) {
		t.Errorf("skipped specs:\n got %v\nwant %v", skipped, notesExpectedSkips)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	const page = "pages/SAML-NEG-WRONG-AUDIENCE-1.html" // what the user saw when the app refused
	if _, err := os.Stat(filepath.Join(dir, page)); err != nil || !bytes.Contains(html, []byte(`href="`+page+`"`)) {
		t.Errorf("report.html must link the saved page %s (stat: %v)", page, err)
	}
	if !strings.Contains(out, "verdict: failed\nby level: okta 46/49 passed (2 failed), must 10/13 passed (3 failed), should 1/6 passed (4 failed)\n57 passed, 2 failed, 7 warnings, 2 skipped") {
		t.Errorf("want the verdict and counts of the whole catalogue:\n%s", out)
	}
}

// TestSSOCatalogueNotesRFC runs the catalogue's Level:must specs against notes with --profile rfc: the
// gaps the okta profiles list as warnings now fail the verdict, and the other must specs pass.
func TestSSOCatalogueNotesRFC(t *testing.T) {
	out, code := runSSOCLI(t, t.TempDir(), "--app", "../../fixtures/apps/notes/app.yaml", "--profile", "rfc",
		"--label-filter", "Level:must")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (failures)\n%s", code, out)
	}
	failed, warned, skipped := ssoResults(out)
	if !slices.Equal(failed, notesRFCFailures) || len(warned)+len(skipped) != 0 {
		t.Errorf("failed %v, warned %v, skipped %v; want only %v failed\n%s", failed, warned, skipped, notesRFCFailures, out)
	}
	if !strings.Contains(out, "verdict: failed\nby level: must 10/13 passed (3 failed)\n10 passed, 3 failed, 0 warnings, 0 skipped") {
		t.Errorf("want the must specs' verdict and counts:\n%s", out)
	}
}

// TestSSOCatalogueRefApp runs the same path against the reference app described by its app.yaml
// (created and connected through its CLI, connect.command), on the specs with a shape of their own
// (sign-in, replay, reconnects, callback replay) and a few plain refusals: refapp passes them all. The
// whole catalogue: `ssoconform sso --app fixtures/apps/refapp/app.yaml`, about a minute.
func TestSSOCatalogueRefApp(t *testing.T) {
	focus := "(SSO-SIGNIN|NEG-REPLAY|NEG-CERT-EXPIRED|NEG-DISCOVERY-ISSUER-WRONG|NEG-CODE-REUSABLE|NEG-XSW3|NEG-COMMENT-NAMEID|NEG-SUB-MISSING|POS-NO-DESTINATION):"
	out, code := runSSOCLI(t, t.TempDir(), "--app", "../../fixtures/apps/refapp/app.yaml", "--focus", focus)
	if code != 0 || !strings.Contains(out, "verdict: conformant\nby level: okta 8/8 passed, must 1/1 passed, should 1/1 passed\n10 passed, 0 failed, 0 warnings, 0 skipped") {
		t.Fatalf("exit status %d; want refapp conformant on 10 specs:\n%s", code, out)
	}
}

// TestSSOCatalogueRefAppDriver runs the catalogue through refapp's Go driver (harness/refappdriver).
func TestSSOCatalogueRefAppDriver(t *testing.T) {
	bin := os.Getenv("SSOCONFORM_REFAPP_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "refapp")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/ssoconform/ssoconform/cmd/refapp").CombinedOutput(); err != nil {
			t.Fatalf("build refapp: %v\n%s", err, out)
		}
	}
	out, code := runSSOCLI(t, t.TempDir(), "--refapp-bin", bin, "--protocol", "oidc", "--focus", "(SSO-SIGNIN|NEG-DISCOVERY-ISSUER-WRONG|NEG-NONCE-WRONG):")
	if code != 0 || !strings.Contains(out, "verdict: conformant\nby level: okta 3/3 passed\n3 passed, 0 failed, 0 warnings, 0 skipped") {
		t.Fatalf("exit status %d; want refapp conformant on 3 specs:\n%s", code, out)
	}
}

// TestSSOAppCannotStart: an app that exits at once ends the run with exit status 3 (cannotRun), its
// log's end in the error.
func TestSSOAppCannotStart(t *testing.T) {
	dir := t.TempDir()
	yml := "name: broken\nstart: {command: [sh, -c, 'echo no config >&2; exit 4']}\nconnect: {static: {}}\n" +
		"oidc: {sign_in: /login, redirect_uri: /cb}\nsigned_in: {url: /me}\n"
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := runSSO(t.Context(), []string{"--app", filepath.Join(dir, "app.yaml"), "--report-dir", dir}, &stdout, &stderr)
	var cr cannotRun
	if !errors.As(err, &cr) || !strings.Contains(err.Error(), "no config") {
		t.Fatalf("got %v, want a cannotRun error with the app's log", err)
	}
}

func TestSSOUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no app":         {},
		"both":           {"--app", "x.yaml", "--refapp-bin", "refapp"},
		"bad protocol":   {"--app", "../../fixtures/apps/notes/app.yaml", "--protocol", "ws-fed"},
		"bad profile":    {"--app", "../../fixtures/apps/notes/app.yaml", "--profile", "okta"},
		"missing file":   {"--app", "no-such-app.yaml"},
		"stray argument": {"--app", "../../fixtures/apps/notes/app.yaml", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		if err := runSSO(t.Context(), args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
	}
}

// runSSOCLI runs `ssoconform sso ARGS` as this test binary (see TestMain) and returns its output and
// exit status.
func runSSOCLI(t *testing.T, reportDir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"sso", "--report-dir", reportDir}, args...)...)
	cmd.Env = append(os.Environ(), "SSOCONFORM_SELFTEST_CLI=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("ssoconform sso: %v\n%s", err, out)
	return "", 0
}

var ssoResultLine = regexp.MustCompile(`(?m)^(FAILED |warning|skipped) ([A-Z0-9-]+) `)

// ssoResults reads the failed, warned and skipped spec IDs from the summary, sorted.
func ssoResults(out string) (failed, warned, skipped []string) {
	for _, m := range ssoResultLine.FindAllStringSubmatch(out, -1) {
		switch m[1] {
		case "skipped":
			skipped = append(skipped, m[2])
		case "warning":
			warned = append(warned, m[2])
		default:
			failed = append(failed, m[2])
		}
	}
	slices.Sort(failed)
	slices.Sort(warned)
	slices.Sort(skipped)
	return failed, warned, skipped
}
