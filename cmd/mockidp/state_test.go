package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// start runs serve until the returned stop function is called; it returns what serve printed.
func start(t *testing.T, cfg serveConfig) (addr string, out *bytes.Buffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out = &bytes.Buffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), out, ready) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	return addr, out, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	}
}

func TestPrintJSONAndState(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "mock.json")
	cfg := serveConfig{addr: "127.0.0.1:0", config: filepath.Join("..", "..", "fixtures", "orgs", "example.yaml"),
		baseURL: "http://127.0.0.1:8080", state: state, domain: "okta.test", printJSON: true}
	addr, out, stop := start(t, cfg)
	var first summary
	if err := json.Unmarshal(out.Bytes(), &first); err != nil {
		t.Fatalf("--print-json output is not JSON: %v\n%s", err, out)
	}
	o := first.Orgs[0]
	if o.BaseURL != "http://acme.okta.test:8080" || o.ConsoleURL != o.BaseURL+"/admin" || len(o.APIToken) != 42 ||
		len(o.Apps) != 2 || o.Apps[1].MetadataURL == "" || o.Users[0].Password != "Alice-Passw0rd" {
		t.Errorf("summary = %+v", o)
	}
	// A change through the management API (host-based: Host acme.okta.test) is saved.
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/groups", strings.NewReader(`{"profile":{"name":"Support"}}`))
	req.Host = "acme.okta.test:8080"
	req.Header.Set("Authorization", "SSWS "+o.APIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("create group: %d %s", resp.StatusCode, body)
	}
	stop()
	if data, err := os.ReadFile(state); err != nil || !strings.Contains(string(data), `"name": "Support"`) {
		t.Fatalf("the group created through the API is not in the state file (%v)", err)
	}

	cfg.config = "" // the state alone brings the org back
	_, out, stop = start(t, cfg)
	defer stop()
	var second summary
	if err := json.Unmarshal(out.Bytes(), &second); err != nil {
		t.Fatal(err)
	}
	o2 := second.Orgs[0]
	if o2.APIToken != o.APIToken || o2.Apps[0].ClientSecret != o.Apps[0].ClientSecret ||
		o2.Apps[1].MetadataURL != o.Apps[1].MetadataURL {
		t.Errorf("after restart: %+v\nbefore: %+v", o2, o)
	}
}
