package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		nil,
		{"listen"},
		{"serve", "--config", "x.yaml"},
		{"serve", "--addr", "127.0.0.1:0"},
		{"serve", "--addr", "127.0.0.1:0", "--config", "x.yaml", "extra"},
		{"serve", "--bogus"},
	}
	for _, args := range tests {
		err := run(t.Context(), args, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestServeExample(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cfg := serveConfig{addr: "127.0.0.1:0", config: filepath.Join("..", "..", "fixtures", "orgs", "example.yaml"),
		baseURL: "http://mock.test"}
	var out bytes.Buffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), &out, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	resp, err := http.Get("http://" + addr + "/acme/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"issuer":"http://mock.test/acme"`) {
		t.Errorf("discovery: %d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}
	for _, want := range []string{"org acme", "http://mock.test/acme/.well-known/openid-configuration",
		"client id:", "client secret:", "API token:         SSWS 00", "console:           http://mock.test/acme/admin",
		"IdP metadata:  http://mock.test/acme/app/exk", "default AS:", "http://localhost:8081/sso/oidc/callback", "alice@acme.test", "Alice-Passw0rd"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
