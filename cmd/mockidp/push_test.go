package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestPushCommand(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var auths []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"totalResults":0,"Resources":[]}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"x"}`)
	}))
	defer hs.Close()
	tok := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(tok, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"push", "--url", hs.URL, "--token-file", tok, "--users", "5", "--concurrency", "1"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "pushed 5 users") {
		t.Fatalf("output:\n%s", out.String())
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rep); err != nil || rep["users"] != 5.0 || rep["requests"] != 10.0 {
		t.Errorf("JSON line %s: %v", lines[1], err)
	}
	mu.Lock()
	defer mu.Unlock()
	if auths[0] != "Bearer s3cret" {
		t.Errorf("Authorization %q", auths[0])
	}
	if err := run(t.Context(), []string{"push", "--url", hs.URL, "--users", "5"}, &out, &errOut); err == nil {
		t.Error("push without a token file must be a usage error")
	}
}
