package scimpush

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pagedServer answers import reads (GET /Users or /Groups without a filter) with 150 resources in pages
// (one user inactive) and everything else like fakeServer.
type pagedServer struct{ fakeServer }

func (p *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != "GET" || q.Get("filter") != "" || q.Get("startIndex") == "" || q.Get("count") == "2" {
		p.fakeServer.ServeHTTP(w, r)
		return
	}
	p.mu.Lock()
	p.got = append(p.got, r.Method+" "+r.URL.RequestURI())
	p.bodies = append(p.bodies, "")
	p.mu.Unlock()
	start, _ := strconv.Atoi(q.Get("startIndex"))
	count, _ := strconv.Atoi(q.Get("count"))
	const total = 150
	var res []string
	for i := start; i < start+count && i <= total; i++ {
		if strings.HasSuffix(r.URL.Path, "/Groups") {
			res = append(res, fmt.Sprintf(`{"id":"g-%d","displayName":"Group %d","members":[{"value":"u-%d"}]}`, i, i, i))
			continue
		}
		res = append(res, fmt.Sprintf(`{"id":"u-%d","userName":"user%d@acme.test","active":%t,"emails":[{"value":"user%d@acme.test","primary":true}]}`,
			i, i, i != 7, i))
	}
	w.Header().Set("Content-Type", MediaType)
	_, _ = fmt.Fprintf(w, `{"schemas":["%s"],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[%s]}`,
		SchemaListResponse, total, start, len(res), strings.Join(res, ","))
}

// TestActionGoldens records every action's requests per flavour (ids and clock fixed, the password
// placeholder drawn from a seeded source) and compares them with testdata/actions-<flavour>.golden.txt.
func TestActionGoldens(t *testing.T) {
	t.Parallel()
	eng := Group{DisplayName: "Eng", Members: []Member{ann, bob}}
	actions := []struct {
		name   string
		exists bool // the userName filter finds the user
		run    func(context.Context, *Client, Target, *Transcript) error
	}{
		{"A1 Test API Credentials", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.TestCredentials(ctx, t, tr)
		}},
		{"A2 push new user", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			_, err := c.PushUser(ctx, t, alice, tr)
			return err
		}},
		{"A3 link existing user", true, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			_, err := c.PushUser(ctx, t, alice, tr)
			return err
		}},
		{"A4 profile update", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.UpdateUser(ctx, t, "u-1", alice, tr)
		}},
		{"A5 deactivate", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.SetActive(ctx, t, "u-1", alice, false, tr)
		}},
		{"A8 reactivate", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.SetActive(ctx, t, "u-1", alice, true, tr)
		}},
		{"A9 password sync", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.SetPassword(ctx, t, "u-1", alice, "N3w-Passw0rd!", tr)
		}},
		{"A10 import users", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			got, err := c.ImportUsers(ctx, t, tr)
			if err == nil && len(got) != 149 {
				err = fmt.Errorf("imported %d users, want 149 (150 less one inactive)", len(got))
			}
			return err
		}},
		{"A11 import groups", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			got, err := c.ImportGroups(ctx, t, tr)
			if err == nil && (len(got) != 150 || len(got[0].Members) != 1) {
				err = fmt.Errorf("imported %d groups, want 150 with their members", len(got))
			}
			return err
		}},
		{"A12 push group", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			_, err := c.PushGroup(ctx, t, eng, tr)
			return err
		}},
		{"A14 membership change", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Eng", Members: []Member{bob, cat}}, tr)
		}},
		{"A15 Push Now", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.ReplaceMembers(ctx, t, "g-1", "Eng", Group{DisplayName: "Eng", Members: []Member{bob, cat}}, tr)
		}},
		{"A16 rename", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Platform", Members: eng.Members}, tr)
		}},
		{"A18 delete group", false, func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
			return c.DeleteGroup(ctx, t, "g-1", tr)
		}},
	}
	for _, flavour := range []Flavour{FlavourOIN, FlavourAIW} {
		var out bytes.Buffer
		for _, a := range actions {
			srv := &pagedServer{}
			srv.userExists = a.exists
			hs := httptest.NewServer(srv)
			c := New(Config{HTTPClient: hs.Client(), Rand: rand.NewChaCha8([32]byte{7}),
				Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
			var tr Transcript
			err := a.run(t.Context(), c, Target{BaseURL: hs.URL + "/scim/v2", Token: "tok", Flavour: flavour}, &tr)
			hs.Close()
			if err != nil {
				t.Errorf("%s %s: %v", flavour, a.name, err)
			}
			fmt.Fprintf(&out, "## %s\n", a.name)
			for _, ex := range tr.Exchanges() {
				uri := strings.TrimPrefix(ex.URL, hs.URL)
				fmt.Fprintf(&out, "%s %s\n", ex.Method, uri)
				if ex.RequestBody != "" {
					fmt.Fprintf(&out, "%s\n", ex.RequestBody)
				}
			}
			out.WriteString("\n")
		}
		goldenFile(t, "actions-"+string(flavour)+".golden.txt", out.Bytes())
	}
}

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestAuthModes checks the Authorization header of each authentication mode on the wire and that the
// transcript never shows the secret.
func TestAuthModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		auth       Auth
		user, want string
		shown      string
	}{
		{"", "", "Bearer s3cret", "Bearer [REDACTED]"},
		{AuthBearer, "", "Bearer s3cret", "Bearer [REDACTED]"},
		{AuthHeader, "", "s3cret", "[REDACTED]"},
		{AuthBasic, "okta", "Basic b2t0YTpzM2NyZXQ=", "Basic [REDACTED]"},
	}
	for _, tc := range tests {
		var got string
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Authorization")
			_, _ = fmt.Fprint(w, `{"totalResults":0,"Resources":[]}`)
		}))
		var tr Transcript
		err := New(Config{HTTPClient: hs.Client()}).TestCredentials(t.Context(),
			Target{BaseURL: hs.URL, Token: "s3cret", Auth: tc.auth, Username: tc.user}, &tr)
		hs.Close()
		if err != nil {
			t.Fatalf("%q: %v", tc.auth, err)
		}
		if got != tc.want {
			t.Errorf("%q: Authorization %q, want %q", tc.auth, got, tc.want)
		}
		if shown := tr.Exchanges()[0].RequestHeader.Get("Authorization"); shown != tc.shown {
			t.Errorf("%q: transcript shows %q, want %q", tc.auth, shown, tc.shown)
		}
	}
}
