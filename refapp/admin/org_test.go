package admin_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

// TestAddAPIKey: a key chosen by a scripted set-up authenticates as the organization's, adding it again
// changes nothing, and another organization cannot take it.
func TestAddAPIKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "refapp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := admin.New(admin.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"acme", "globex"} {
		if _, err := a.CreateOrg(ctx, admin.OrgInput{Name: name, Plan: "pro", AdminEmail: "admin@" + name + ".test", AdminPassword: "Passw0rd-long"}); err != nil {
			t.Fatal(err)
		}
	}
	key := "rk_" + strings.Repeat("k", 43)

	added, err := a.AddAPIKey(ctx, "acme", key, []string{"scim"})
	if err != nil || !added {
		t.Fatalf("AddAPIKey = %v, %v; want added", added, err)
	}
	got, err := auth.AuthenticateAPIKey(ctx, st, key)
	if err != nil {
		t.Fatalf("the added key does not authenticate: %v", err)
	}
	acme, err := st.OrgByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if got.OrgID != acme.ID || !auth.HasScope(got, auth.ScopeSCIM) || auth.HasScope(got, auth.ScopeOrgWrite) {
		t.Errorf("key record = %+v, want acme's with scope scim only", got)
	}

	if added, err := a.AddAPIKey(ctx, "acme", key, []string{"scim"}); err != nil || added {
		t.Errorf("AddAPIKey again = %v, %v; want not added, no error", added, err)
	}
	keys, err := a.ListAPIKeys(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Errorf("acme has %d keys after adding the same key twice, want 1", len(keys))
	}

	tests := []struct {
		name, org, key string
		scopes         []string
		want           string
	}{
		{"held by another org", "globex", key, []string{"scim"}, "another organization holds this key"},
		{"malformed", "acme", "rk_not-a-key", []string{"scim"}, "want rk_ followed by 43"},
		{"unknown scope", "acme", "rk_" + strings.Repeat("m", 43), []string{"admin"}, "unknown scope"},
		{"unknown org", "initech", "rk_" + strings.Repeat("n", 43), []string{"scim"}, `no organization named "initech"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			added, err := a.AddAPIKey(ctx, tc.org, tc.key, tc.scopes)
			if err == nil || added || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("AddAPIKey = %v, %v; want an error saying %q", added, err, tc.want)
			}
			if strings.Contains(err.Error(), tc.key[3:]) {
				t.Errorf("the error repeats the key: %v", err)
			}
		})
	}
}
