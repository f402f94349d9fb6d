package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMemberAndResetCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "refapp.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	step := func(stdin string, wantErr string, args ...string) string {
		t.Helper()
		out, stderr, err := runCLI(t, stdin, append(args, "--db", db)...)
		if wantErr == "" && err != nil {
			t.Fatalf("refapp %v: %v\nstderr: %s", args, err, stderr)
		}
		if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Fatalf("refapp %v: err = %v, want one mentioning %q", args, err, wantErr)
		}
		return out
	}
	step("", "", "org", "create", "--name", "acme", "--plan", "pro", "--admin-email", "a@acme.test", "--admin-password-file", pwFile)
	step("", "last admin", "member", "remove", "--org", "acme", "--email", "a@acme.test")
	step("", "last admin", "member", "role", "--org", "acme", "--email", "a@acme.test", "--role", "viewer")
	step("second password", "", "member", "add", "--org", "acme", "--email", "b@acme.test", "--name", "Bee", "--role", "admin", "--password-file", "-")
	step("", "already a member", "member", "add", "--org", "acme", "--email", "B@acme.test")
	step("", "", "member", "add", "--org", "acme", "--email", "c@acme.test")
	step("", "", "member", "role", "--org", "acme", "--email", "a@acme.test", "--role", "viewer")
	step("", "", "member", "remove", "--org", "acme", "--email", "c@acme.test")
	out := step("", "", "member", "list", "--org", "acme")
	for _, want := range []string{"a@acme.test", "viewer", "b@acme.test", "Bee", "admin"} {
		if !strings.Contains(out, want) {
			t.Errorf("member list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "c@acme.test") {
		t.Errorf("a removed member is listed:\n%s", out)
	}
	step("", "no SSO connection", "sso", "reset", "--org", "acme")
	idp := discoveryServer(t)
	step("secret-0123456789\n", "", "sso", "set", "--org", "acme", "--protocol", "oidc", "--metadata-url",
		idp.URL+"/.well-known/openid-configuration", "--client-id", "c1", "--client-secret-file", "-",
		"--default-role", "member", "--enforce")
	if out := step("", "", "sso", "reset", "--org", "acme"); !strings.Contains(out, "enforcement lifted") {
		t.Errorf("sso reset printed %q", out)
	}
	if out := step("", "", "sso", "show", "--org", "acme", "--base-url", "http://app.test"); !strings.Contains(out, `"enforce": false`) ||
		!strings.Contains(out, `"protocol": "oidc"`) {
		t.Errorf("after reset, sso show = %s", out)
	}
	step("", "", "sso", "reset", "--org", "acme", "--disconnect")
	if out := step("", "", "sso", "show", "--org", "acme", "--base-url", "http://app.test"); !strings.Contains(out, `"protocol": ""`) {
		t.Errorf("after reset --disconnect, sso show = %s", out)
	}
	if out := step("", "", "sso", "reset", "--help"); out != "" {
		t.Errorf("help printed on stdout: %q", out)
	}
}
