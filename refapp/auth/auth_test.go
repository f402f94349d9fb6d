package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

func TestPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password string
		wantErr        bool
	}{
		{"ok", "correct horse", false},
		{"too short", "short", true},
		{"too long", strings.Repeat("x", 73), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := auth.HashPassword(tt.password, bcrypt.MinCost)
			if (err != nil) != tt.wantErr {
				t.Fatalf("HashPassword err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !auth.CheckPassword(h, tt.password) {
				t.Error("CheckPassword(right password) = false")
			}
			if auth.CheckPassword(h, tt.password+"!") {
				t.Error("CheckPassword(wrong password) = true")
			}
		})
	}
	if auth.CheckPassword("", "anything") {
		t.Error("CheckPassword with empty hash = true")
	}
}

func TestParseScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"scim", []string{"scim"}, false},
		{"scim,org:read scim", []string{"org:read", "scim"}, false},
		{"org:write,org:read", []string{"org:read", "org:write"}, false},
		{"", nil, true},
		{"scim,admin", nil, true},
		{"SCIM", nil, true},
	}
	for _, tt := range tests {
		got, err := auth.ParseScopes(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseScopes(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseScopes(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

type fakeKeys struct {
	store.Store
	keys map[string]store.APIKey
}

func (f fakeKeys) APIKeyByHash(_ context.Context, hash []byte) (store.APIKey, error) {
	k, ok := f.keys[string(hash)]
	if !ok {
		return store.APIKey{}, store.ErrNotFound
	}
	return k, nil
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	key, rec, err := auth.NewAPIKey(rand.Reader, "o1", []string{"scim"}, now)
	if err != nil {
		t.Fatalf("NewAPIKey: %v", err)
	}
	if !regexp.MustCompile(`^rk_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Errorf("key %q does not look like rk_ + 43 base64url characters", key)
	}
	if !bytes.Equal(rec.Hash, auth.Hash(key)) || strings.Contains(string(rec.Hash), key) {
		t.Error("stored hash is not the SHA-256 of the key")
	}
	if !strings.HasPrefix(key, rec.Prefix) || len(rec.Prefix) >= len(key)/2 {
		t.Errorf("prefix %q is not a short prefix of the key", rec.Prefix)
	}
	st := fakeKeys{keys: map[string]store.APIKey{string(rec.Hash): rec}}
	ctx := context.Background()
	got, err := auth.AuthenticateAPIKey(ctx, st, key)
	if err != nil || got.ID != rec.ID {
		t.Fatalf("AuthenticateAPIKey(valid) = %v, %v", got.ID, err)
	}
	if !auth.HasScope(got, auth.ScopeSCIM) || auth.HasScope(got, auth.ScopeOrgWrite) {
		t.Errorf("HasScope wrong for scopes %v", got.Scopes)
	}
	for _, bad := range []string{"", "rk_short", key[:len(key)-1] + "A", strings.Replace(key, "rk_", "xx_", 1)} {
		if bad == key {
			continue
		}
		if _, err := auth.AuthenticateAPIKey(ctx, st, bad); !errors.Is(err, auth.ErrInvalidAPIKey) {
			t.Errorf("AuthenticateAPIKey(%q) err = %v, want ErrInvalidAPIKey", bad, err)
		}
	}
}

// TestAPIKeyRecord: a key chosen outside refapp (a scripted set-up's) is stored like a generated one,
// and a malformed one is refused without being repeated.
func TestAPIKeyRecord(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	chosen := "rk_" + strings.Repeat("Ab-_", 10) + "xyz"
	rec, err := auth.APIKeyRecord(rand.Reader, chosen, "o1", []string{"scim"}, now)
	if err != nil {
		t.Fatalf("APIKeyRecord: %v", err)
	}
	if !bytes.Equal(rec.Hash, auth.Hash(chosen)) || rec.Prefix != chosen[:9] || rec.OrgID != "o1" || rec.ID == "" {
		t.Errorf("record = %+v", rec)
	}
	got, err := auth.AuthenticateAPIKey(context.Background(), fakeKeys{keys: map[string]store.APIKey{string(rec.Hash): rec}}, chosen)
	if err != nil || got.ID != rec.ID {
		t.Errorf("AuthenticateAPIKey(chosen) = %v, %v", got.ID, err)
	}
	for _, bad := range []string{"", "rk_", "rk_short-secret", "xx_" + chosen[3:], chosen + "A", chosen[:len(chosen)-1] + "=", chosen[:len(chosen)-1] + "+"} {
		if auth.WellFormedAPIKey(bad) {
			t.Errorf("WellFormedAPIKey(%q) = true", bad)
		}
		_, err := auth.APIKeyRecord(rand.Reader, bad, "o1", []string{"scim"}, now)
		if err == nil {
			t.Errorf("APIKeyRecord(%q) accepted it", bad)
		} else if len(bad) > 3 && strings.Contains(err.Error(), bad) {
			t.Errorf("APIKeyRecord error repeats the key: %v", err)
		}
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer st.Close()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.CreateOrg(ctx, store.Org{ID: "o1", Name: "acme", Plan: store.PlanPro, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	m := store.Member{ID: "m1", OrgID: "o1", Email: "a@example.com", Role: store.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	clock := now
	s := &auth.Sessions{Store: st, Secure: true, TTL: time.Hour, Now: func() time.Time { return clock }}

	rec := httptest.NewRecorder()
	if err := s.Start(ctx, rec, m, "password"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("got %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if c.Name != auth.SessionCookie || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || len(c.Value) != 43 {
		t.Errorf("cookie %+v: want %s, HttpOnly, Secure, SameSite=Lax, 32 random bytes", c, auth.SessionCookie)
	}
	if _, err := st.SessionByHash(ctx, []byte(c.Value)); !errors.Is(err, store.ErrNotFound) {
		t.Error("the session token itself is stored; only its hash should be")
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	if _, got, err := s.Lookup(ctx, req); err != nil || got.ID != "m1" {
		t.Fatalf("Lookup = %v, %v; want m1", got.ID, err)
	}
	clock = now.Add(time.Hour)
	if _, _, err := s.Lookup(ctx, req); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("Lookup after expiry: err = %v, want ErrNoSession", err)
	}
	clock = now
	if err := s.End(ctx, httptest.NewRecorder(), req); err != nil {
		t.Fatalf("End: %v", err)
	}
	if _, _, err := s.Lookup(ctx, req); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("Lookup after End: err = %v, want ErrNoSession", err)
	}
	if _, _, err := s.Lookup(ctx, httptest.NewRequest(http.MethodGet, "/", nil)); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("Lookup without cookie: err = %v, want ErrNoSession", err)
	}
}
