package oidcrp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/oidcrp"
)

func TestIssuerFromMetadataURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"https://acme.okta.com/.well-known/openid-configuration", "https://acme.okta.com", false},
		{"http://127.0.0.1:8080/acme/.well-known/openid-configuration", "http://127.0.0.1:8080/acme", false},
		{"https://acme.okta.com", "", true},
		{"https://acme.okta.com/.well-known/openid-configuration?x=1", "", true},
		{"https://acme.okta.com/.well-known/openid-configuration?client_id=0oa1", "https://acme.okta.com", false},
		{"https://acme.okta.com/.well-known/openid-configuration?client_id=0oa1&x=1", "", true},
		{"acme.okta.com/.well-known/openid-configuration", "", true},
	}
	for _, tt := range tests {
		got, err := oidcrp.IssuerFromMetadataURL(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("IssuerFromMetadataURL(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDiscoverRefusesUnusableDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     func(iss string) map[string]any
		wantErr string
	}{
		{"ok", func(iss string) map[string]any { return doc(iss) }, ""},
		{"issuer mismatch", func(iss string) map[string]any { d := doc(iss); d["issuer"] = "https://other.test"; return d }, "names issuer"},
		{"no token endpoint", func(iss string) map[string]any { d := doc(iss); delete(d, "token_endpoint"); return d }, "token_endpoint"},
		{"no jwks", func(iss string) map[string]any { d := doc(iss); delete(d, "jwks_uri"); return d }, "jwks_uri"},
		{"no S256", func(iss string) map[string]any {
			d := doc(iss)
			d["code_challenge_methods_supported"] = []string{"plain"}
			return d
		}, "S256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(tt.doc(srv.URL))
			}))
			defer srv.Close()
			_, err := oidcrp.Discover(context.Background(), srv.Client(), srv.URL)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Discover: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Discover err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func doc(iss string) map[string]any {
	return map[string]any{"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
		"jwks_uri": iss + "/keys", "response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"}}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if _, err := oidcrp.New(oidcrp.Config{RedirectURL: "http://app.test/sso/oidc/callback"}); err == nil {
		t.Error("New without Store succeeded")
	}
}
