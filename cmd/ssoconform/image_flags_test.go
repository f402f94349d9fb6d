package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImageEnvFlag(t *testing.T) {
	t.Parallel()
	var e envFlag
	for _, s := range []string{"A=1", "EMPTY=", "FROM_HERE", "WITH_EQ=a=b"} {
		if err := e.Set(s); err != nil {
			t.Fatalf("Set(%q) = %v", s, err)
		}
	}
	for _, bad := range []string{"", "=x", "1A=x", "A-B=x", "A B"} {
		if err := e.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted it", bad)
		}
	}
	if err := e.Set("BAD-NAME=hunter2"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Set with a bad name = %v; want an error that does not echo the value", err)
	}
	lookup := func(k string) (string, bool) { v, ok := map[string]string{"FROM_HERE": "secret"}[k]; return v, ok }
	got, err := e.resolve(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"A": "1", "EMPTY": "", "FROM_HERE": "secret", "WITH_EQ": "a=b"}, got); d != "" {
		t.Errorf("resolve (-want +got):\n%s", d)
	}
	if _, err := (envFlag{"MISSING"}).resolve(lookup); err == nil || !strings.Contains(err.Error(), "MISSING is not set") {
		t.Errorf("resolve(MISSING) = %v", err)
	}
}

func TestImageFlagsBuildTheTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := scimFlags{tokenFile: tok, profile: "okta-oin", authScheme: "bearer", secondURL: "/tenant2/scim/v2", secondTokenFile: tok,
		image: imageFlags{name: "acme/scim:1", ready: "/"}}
	got, err := f.toRun(strings.NewReader(""))
	if err != nil {
		t.Fatalf("toRun with --image and no --url = %v", err)
	}
	if got.Target.BaseURL != "" || got.Target.Second.BaseURL != "/tenant2/scim/v2" {
		t.Errorf("target URLs = %q, %q; want them left for the container", got.Target.BaseURL, got.Target.Second.BaseURL)
	}
	for name, g := range map[string]scimFlags{
		"a relative path":   {url: "scim/v2"},
		"a bad ready path":  {image: imageFlags{name: "acme/scim:1", ready: "healthz"}},
		"a port past 65535": {image: imageFlags{name: "acme/scim:1", ready: "/", port: 70000}},
	} {
		g.tokenFile, g.profile, g.authScheme = tok, "okta-oin", "bearer"
		if g.image.name == "" {
			g.image = imageFlags{name: "acme/scim:1", ready: "/"}
		}
		if _, err := g.toRun(strings.NewReader("")); err == nil {
			t.Errorf("%s: toRun accepted it", name)
		}
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"scim", "--url", "/scim/v2", "--token-file", tok}, &stdout, &stderr)
	if !errors.Is(err, errUsage) {
		t.Errorf("a path as --url without --image = %v, want a usage error", err)
	}
}
