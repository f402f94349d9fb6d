package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOrgPlan: support moves an organization between plans; a bad plan or org is refused.
func TestOrgPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "refapp.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runCLI(t, "", "org", "create", "--db", db, "--name", "acme", "--plan", "pro", "--admin-email", "a@acme.test", "--admin-password-file", pwFile); err != nil {
		t.Fatalf("org create: %v %s", err, stderr)
	}
	out, stderr, err := runCLI(t, "", "org", "plan", "--db", db, "--org", "ACME", "--plan", "free")
	if err != nil || !strings.Contains(out, "acme is now on the free plan") {
		t.Fatalf("org plan = %q, %v (%s)", out, err, stderr)
	}
	// the free plan has no SSO: sso set is refused now
	if _, _, err := runCLI(t, "s", "sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", "http://127.0.0.1:1/.well-known/openid-configuration",
		"--client-id", "c", "--client-secret-file", "-", "--default-role", "member"); err == nil || !strings.Contains(err.Error(), "free plan") {
		t.Errorf("sso set after the move to free: %v, want the plan refusal", err)
	}
	for _, args := range [][]string{{"--org", "acme", "--plan", "gold"}, {"--org", "nope", "--plan", "pro"}} {
		if _, _, err := runCLI(t, "", append([]string{"org", "plan", "--db", db}, args...)...); err == nil {
			t.Errorf("org plan %v succeeded", args)
		}
	}
}
