package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate", "now"}},
		{"unknown subcommand", []string{"org", "delete"}},
		{"org alone", []string{"org"}},
		{"unknown flag", []string{"org", "create", "--bogus"}},
		{"missing required flag", []string{"apikey", "create", "--db", "sqlite:x.db", "--org", "acme"}},
		{"stray argument", []string{"sso", "show", "--db", "sqlite:x.db", "--org", "acme", "--base-url", "http://a.test", "extra"}},
		{"secret on argv is not a flag", []string{"sso", "set", "--client-secret", "s"}},
		{"serve without base url", []string{"serve", "--db", "sqlite:x.db"}},
		{"serve with bad base url", []string{"serve", "--db", "sqlite:x.db", "--base-url", "app.test"}},
		{"serve with negative rate limit", []string{"serve", "--db", "sqlite:x.db", "--base-url", "http://a.test", "--scim-rate-limit", "-1"}},
		{"sso show bad base url", []string{"sso", "show", "--db", "sqlite:x.db", "--org", "a", "--base-url", "ftp://x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, err := runCLI(t, "", tt.args...)
			if !errors.Is(err, errUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if stderr == "" {
				t.Error("nothing written to stderr")
			}
		})
	}
}

// discoveryServer serves a minimal discovery document on loopback.
func discoveryServer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/keys", "response_types_supported": []string{"code"}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "refapp.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, stderr, err := runCLI(t, stdin, args...)
		if err != nil {
			t.Fatalf("refapp %v: %v\nstderr: %s", args, err, stderr)
		}
		return out
	}
	mustRun("", "org", "create", "--db", db, "--name", "acme", "--plan", "pro", "--admin-email", "a@acme.test", "--admin-password-file", pwFile)
	mustRun("correct horse", "org", "create", "--db", db, "--name", "cheap", "--plan", "free", "--admin-email", "a@cheap.test", "--admin-password-file", "-")

	for _, extra := range [][]string{nil, {"--owner", "A@acme.test"}} {
		key := mustRun("", append([]string{"apikey", "create", "--db", db, "--org", "acme", "--scopes", "scim"}, extra...)...)
		if !regexp.MustCompile(`^rk_[A-Za-z0-9_-]{43}\n$`).MatchString(key) {
			t.Errorf("apikey create %v printed %q, want the key alone on one line", extra, key)
		}
	}
	idp := discoveryServer(t)
	meta := idp.URL + "/.well-known/openid-configuration"
	const secret = "the-client-secret-0123456789"
	out := mustRun(secret+"\n", "sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", meta,
		"--client-id", "0oa123", "--client-secret-file", "-", "--default-role", "member", "--sync")
	if strings.Contains(out, secret) {
		t.Error("sso set printed the client secret")
	}
	out = mustRun("", "sso", "show", "--db", db, "--org", "acme", "--base-url", "http://app.test:8080")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("sso show output %q: %v", out, err)
	}
	cert, _ := got["sp_certificate"].(string)
	if block, _ := pem.Decode([]byte(cert)); block == nil || block.Type != "CERTIFICATE" {
		t.Errorf("sso show sp_certificate = %q, want a PEM certificate", cert)
	}
	var again map[string]any
	if err := json.Unmarshal([]byte(mustRun("", "sso", "show", "--db", db, "--org", "cheap", "--base-url", "http://x.test")), &again); err != nil ||
		again["sp_certificate"] != cert {
		t.Errorf("another org's sso show: certificate %v (%v), want the deployment's one key", again["sp_certificate"], err)
	}
	delete(got, "sp_certificate")
	want := map[string]any{"redirect_uri": "http://app.test:8080/sso/oidc/callback", "scim_base_url": "http://app.test:8080/scim/v2",
		"slo_url":  "http://app.test:8080/sso/saml/slo",
		"protocol": "oidc", "metadata_url": meta, "client_id": "0oa123", "default_role": "member", "sync": true,
		"acs_url": "http://app.test:8080/sso/saml/acs", "sp_entity_id": "http://app.test:8080/sso/saml/metadata",
		"sp_metadata_url": "http://app.test:8080/sso/saml/metadata", "issuer": idp.URL, "enforce": false, "has_idp_metadata": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sso show (-want +got):\n%s", diff)
	}

	failures := []struct {
		name, stdin, wantMsg string
		args                 []string
	}{
		{"duplicate org", "", "already exists", []string{"org", "create", "--db", db, "--name", "ACME", "--plan", "pro", "--admin-email", "b@acme.test", "--admin-password-file", pwFile}},
		{"bad plan", "", "unknown plan", []string{"org", "create", "--db", db, "--name", "x", "--plan", "gold", "--admin-email", "b@x.test", "--admin-password-file", pwFile}},
		{"bad scope", "", "unknown scope", []string{"apikey", "create", "--db", db, "--org", "acme", "--scopes", "scim,root"}},
		{"unknown org", "", "no organization", []string{"apikey", "create", "--db", db, "--org", "nope", "--scopes", "scim"}},
		{"unknown owner", "", "has no member", []string{"apikey", "create", "--db", db, "--org", "acme", "--scopes", "scim", "--owner", "x@acme.test"}},
		{"sso on free plan", "s", "free plan", []string{"sso", "set", "--db", db, "--org", "cheap", "--protocol", "oidc", "--metadata-url", meta, "--client-id", "c", "--client-secret-file", "-", "--default-role", "member"}},
		{"metadata URL unreachable", "s", "nothing was saved", []string{"sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", idp.URL + "/other/.well-known/openid-configuration", "--client-id", "c", "--client-secret-file", "-", "--default-role", "member"}},
		{"metadata URL without suffix", "s", "must end with", []string{"sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", idp.URL, "--client-id", "c", "--client-secret-file", "-", "--default-role", "member"}},
		{"empty secret", "", "empty", []string{"sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", meta, "--client-id", "c", "--client-secret-file", "-", "--default-role", "member"}},
		{"bad role", "s", "default role", []string{"sso", "set", "--db", db, "--org", "acme", "--protocol", "oidc", "--metadata-url", meta, "--client-id", "c", "--client-secret-file", "-", "--default-role", "owner"}},
	}
	for _, f := range failures {
		_, _, err := runCLI(t, f.stdin, f.args...)
		if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), f.wantMsg) {
			t.Errorf("%s: err = %v, want a failure mentioning %q", f.name, err, f.wantMsg)
		}
	}
	// The failed sso set calls saved nothing.
	out = mustRun("", "sso", "show", "--db", db, "--org", "acme", "--base-url", "http://app.test:8080")
	if !strings.Contains(out, `"client_id": "0oa123"`) {
		t.Errorf("a failed sso set changed the connection:\n%s", out)
	}
}

func TestServeShutsDownOnCancel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", "sqlite:" + filepath.Join(dir, "db"),
			"--base-url", "http://" + addr}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("healthz never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}
