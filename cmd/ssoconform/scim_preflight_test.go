package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSCIMPreflightStopsTheRun: a target that cannot be tested at all ends `ssoconform scim` before any
// spec, with one sentence naming the fix and exit status 3 (cannotRun), and writes no report.
func TestSCIMPreflightStopsTheRun(t *testing.T) {
	t.Parallel()
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		path    string // appended to the server's URL
		want    string
	}{
		{"down", nil, "", "cannot reach the server"},
		{"wrong token", status(401, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad key"}`), "/scim/v2", "refused the token"},
		{"sync off", status(403, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403","detail":"SCIM provisioning needs SSO"}`), "/scim/v2", "SCIM provisioning is switched on"},
		{"no /scim/v2", http.NotFound, "", "usually ends in /scim/v2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := down.URL
			if tc.handler != nil {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				url = srv.URL + tc.path
			}
			dir := t.TempDir()
			tok := filepath.Join(dir, "token")
			if err := os.WriteFile(tok, []byte("tok-123"), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"scim", "--url", url, "--token-file", tok, "--report-dir", filepath.Join(dir, "out")}, &stdout, &stderr)
			var cr cannotRun
			if !errors.As(err, &cr) {
				t.Fatalf("run = %v, want a cannotRun (exit status 3)\n%s%s", err, stdout.String(), stderr.String())
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "tok-123") {
				t.Errorf("message %q: want one line holding %q, without the token", msg, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "out", "junit.xml")); err == nil {
				t.Error("a report was written although no spec ran")
			}
		})
	}
}
