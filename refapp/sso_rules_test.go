package refapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// TestOIDCHardening: ID tokens and callbacks that go-oidc alone would let through are refused with the
// error page, no session and an sso.refused audit event.
func TestOIDCHardening(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		claims map[string]any
		extra  url.Values // added to the callback query
		msg    string
	}{
		{"extra audience without azp", map[string]any{"aud": []string{"0oatestclient", "untrusted"}}, nil, "other audiences"},
		{"azp of another client", map[string]any{"azp": "someone-else"}, nil, "azp names another client"},
		{"sub missing", map[string]any{"sub": nil}, nil, "invalid"},
		{"iat null", map[string]any{"iat": nil}, nil, "invalid"},
		{"iat in the future", map[string]any{"iat": time.Now().Add(10 * time.Minute).Unix()}, nil, "issued in the future"},
		{"iat a week old", map[string]any{"iat": time.Now().Add(-7 * 24 * time.Hour).Unix()}, nil, "issued too long ago"},
		{"nonce missing", map[string]any{"nonce": nil}, nil, "no nonce"},
		{"at_hash wrong", map[string]any{"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, nil, "at_hash"},
		{"authorization response iss wrong", nil, url.Values{"iss": {"https://evil.test"}}, "mix-up refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			c := browser(t)
			q := s.startSSO(t, c)
			claims := map[string]any{"nonce": q.Get("nonce"), "email": "a@acme.test"}
			for k, v := range tt.claims {
				claims[k] = v
			}
			cb := url.Values{"code": {s.op.issueCode(q.Get("code_challenge"), claims)}, "state": {q.Get("state")}}
			for k, v := range tt.extra {
				cb[k] = v
			}
			resp, body := s.callback(t, c, cb)
			if resp.StatusCode < 400 || !strings.Contains(body, `<h1>Sign-in failed</h1>`) || !strings.Contains(body, tt.msg) {
				t.Errorf("callback = %d, want the error page saying %q; body:\n%s", resp.StatusCode, tt.msg, body)
			}
			if status, _ := s.me(t, c); status != http.StatusUnauthorized {
				t.Errorf("/api/v1/me after refusal: %d, want 401", status)
			}
			expectAudit(t, s, "sso.refused")
		})
	}
}

func expectAudit(t *testing.T, s *stack, action string) {
	t.Helper()
	org, err := s.st.OrgByName(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.st.ListAudit(context.Background(), org.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Action == action {
			return
		}
	}
	t.Errorf("no %s audit event in %+v", action, evs)
}

// TestSSOSignInRules: who may sign in through SSO, and as whom.
func TestSSOSignInRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing *store.Member // created before the sign-in
		enforce  bool
		email    string
		wantIn   bool
		wantMsg  string
		wantName string
	}{
		{name: "newcomer joins just in time with a sanitized name", email: "new@acme.test", wantIn: true, wantName: "John Doe"},
		{name: "newcomer refused when SSO is required", enforce: true, email: "new@acme.test", wantMsg: "requires SSO"},
		{name: "existing unlinked member is told to use the emailed link", email: "pat@acme.test",
			existing: &store.Member{ID: "m-pat", Email: "pat@acme.test", Role: store.RoleMember, Active: true},
			wantMsg:  "Use the link emailed to you"},
		{name: "provisioned member is linked on first use, even when SSO is required", enforce: true, email: "ada@acme.test",
			existing: &store.Member{ID: "m-ada", Email: "ada@acme.test", Role: store.RoleMember, Active: true, SCIMUserName: "ada@acme.test"},
			wantIn:   true, wantName: "John Doe"},
		{name: "deactivated provisioned member refused", email: "old@acme.test",
			existing: &store.Member{ID: "m-old", Email: "old@acme.test", Role: store.RoleMember, SCIMUserName: "old@acme.test"},
			wantMsg:  "deactivated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			ctx := context.Background()
			org, err := s.st.OrgByName(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if tt.enforce {
				if err := s.adm.SetSSO(ctx, admin.SSOInput{Org: "acme", Protocol: "oidc", Enforce: true,
					MetadataURL: s.op.issuer() + "/.well-known/openid-configuration", ClientID: s.op.clientID,
					ClientSecret: s.op.clientSecret, DefaultRole: "viewer"}); err != nil {
					t.Fatal(err)
				}
			}
			if m := tt.existing; m != nil {
				m.OrgID, m.CreatedAt, m.UpdatedAt = org.ID, time.Now(), time.Now()
				if err := s.st.CreateMember(ctx, *m); err != nil {
					t.Fatal(err)
				}
			}
			c := browser(t)
			q := s.startSSO(t, c)
			code := s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "email": tt.email,
				"name": "#John Do`e¥"})
			resp, body := s.callback(t, c, url.Values{"code": {code}, "state": {q.Get("state")}})
			status, me := s.me(t, c)
			if !tt.wantIn {
				if resp.StatusCode < 400 || !strings.Contains(body, tt.wantMsg) || status != http.StatusUnauthorized {
					t.Errorf("callback = %d, /me = %d; want refusal saying %q; body:\n%s", resp.StatusCode, status, tt.wantMsg, body)
				}
				expectAudit(t, s, "sso.refused")
				return
			}
			if status != http.StatusOK || me["email"] != tt.email || me["name"] != tt.wantName {
				t.Fatalf("/me = %d %v, want %s signed in as %q; callback body:\n%s", status, me, tt.email, tt.wantName, body)
			}
			expectAudit(t, s, "sso.signin")
			ids, err := s.st.MemberIdentities(ctx, org.ID, memberID(t, s, org.ID, tt.email))
			if err != nil || len(ids) != 1 || ids[0].Subject != "00u1" || ids[0].Issuer != s.op.issuer() {
				t.Errorf("linked identities = %+v, %v; want the OIDC identity", ids, err)
			}
		})
	}
}

func memberID(t *testing.T, s *stack, orgID, email string) string {
	t.Helper()
	m, err := s.st.MemberByEmail(context.Background(), orgID, email)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}
