package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const exampleFixture = "../../fixtures/orgs/example.yaml"

func TestStackHelpExitsWithoutStarting(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	// a refapp binary that does not exist: starting anything would fail
	err := run(t.Context(), []string{"stack", "--refapp-bin", "/nonexistent", "--help"}, &out, &errOut)
	if err != nil {
		t.Fatalf("stack --help: %v", err)
	}
	if !strings.Contains(out.String(), "-app-port") {
		t.Errorf("help does not list the flags:\n%s", out.String())
	}
}

func TestStackBusyPortSaysAddressInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"stack", "--config", exampleFixture, "--refapp-bin", "/nonexistent",
		"--app-port", strconv.Itoa(port)}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "address in use") {
		t.Errorf("stack on a busy port: %v, want \"address in use\"", err)
	}
}

func TestWithAppOrigin(t *testing.T) {
	t.Parallel()
	in := "redirectUris: [http://localhost:8081/sso/oidc/callback]\nssoUrl: http://localhost:8081/sso/saml/acs\n" +
		"baseUrl: http://127.0.0.1:8081/scim/v2\nother: http://localhost:9999/x\n"
	want := "redirectUris: [http://app.local:9100/sso/oidc/callback]\nssoUrl: http://app.local:9100/sso/saml/acs\n" +
		"baseUrl: http://app.local:9100/scim/v2\nother: http://localhost:9999/x\n"
	if got := string(withAppOrigin([]byte(in), "http://app.local:9100")); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStackDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "refapp.db"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, cleanup, err := stackDir(dir)
	if err != nil || got != dir {
		t.Fatalf("stackDir(%s) = %s, %v", dir, got, err)
	}
	cleanup()
	if _, err := os.Stat(filepath.Join(dir, "refapp.db")); !os.IsNotExist(err) {
		t.Errorf("the previous run's database is still there: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("a given directory must stay: %v", err)
	}
	tmp, cleanup, err := stackDir("")
	if err != nil {
		t.Fatal(err)
	}
	cleanup()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary directory %s is still there: %v", tmp, err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStackRunsTwiceInOneDir starts the real stack twice with the same --dir: both runs connect the
// fixture's orgs (no "org exists") and print the SCIM key and the SSWS token on standard output.
func TestStackRunsTwiceInOneDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack twice")
	}
	bin := os.Getenv("SSOCONFORM_REFAPP_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "refapp")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/ssoconform/ssoconform/cmd/refapp").CombinedOutput(); err != nil {
			t.Fatalf("build refapp: %v\n%s", err, out)
		}
	}
	dir := t.TempDir()
	for i := range 2 {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"stack", "--config", exampleFixture, "--refapp-bin", bin, "--dir", dir,
				"--idp-addr", "127.0.0.1:0", "--smtp-addr", "127.0.0.1:0", "--app-port", "0"}, &out, &errOut)
		}()
		for !strings.Contains(out.String(), "Press Ctrl-C") {
			select {
			case err := <-done:
				cancel()
				t.Fatalf("run %d ended: %v\nstdout:\n%s\nstderr:\n%s", i+1, err, out.String(), errOut.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		for _, want := range []string{"refapp SCIM key", "Okta API token: SSWS 00"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %d: standard output lacks %q:\n%s", i+1, want, out.String())
			}
		}
		if strings.Contains(out.String(), "level=") {
			t.Errorf("run %d: log lines on standard output", i+1)
		}
	}
}
