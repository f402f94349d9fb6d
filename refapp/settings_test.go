package refapp_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/store"
)

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// signIn signs in with a password and returns the browser.
func (s *stack) signIn(t *testing.T, email, password string) *http.Client {
	t.Helper()
	c := browser(t)
	resp, body := post(t, c, s.app.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in as %s = %d; body:\n%s", email, resp.StatusCode, body)
	}
	return c
}

func (s *stack) org(t *testing.T, name string) store.Org {
	t.Helper()
	o, err := s.st.OrgByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (s *stack) conn(t *testing.T) store.SSOConnection {
	t.Helper()
	c, err := s.st.SSOConnection(context.Background(), s.org(t, "acme").ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSettingsNeedAnAdmin(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	if _, err := s.adm.AddMember(context.Background(), admin.MemberInput{Org: "acme", Email: "mem@acme.test",
		Role: "member", Password: "member password"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/settings/organization", "/settings/sso/okta", "/settings/members", "/settings/api-keys", "/settings/audit"} {
		if resp, _ := get(t, browser(t), s.app.URL+path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("anonymous GET %s = %d -> %q, want 303 /login", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	c := s.signIn(t, "mem@acme.test", "member password")
	if resp, _ := get(t, c, s.app.URL+"/settings/members"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("member GET /settings/members = %d, want 403", resp.StatusCode)
	}
	if resp, _ := post(t, c, s.app.URL+"/settings/api-keys", url.Values{"scope": {"scim"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("member POST /settings/api-keys = %d, want 403", resp.StatusCode)
	}
}

func oktaForm(s *stack, secret string) url.Values {
	return url.Values{"default_role": {"member"}, "protocol": {"oidc"}, "client_id": {s.op.clientID},
		"client_secret": {secret}, "metadata_url": {s.op.issuer() + "/.well-known/openid-configuration"},
		"sync": {"on"}}
}

func TestOktaPageSecretIsWriteOnly(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.signIn(t, "boss@acme.test", "correct horse")
	resp, page := get(t, c, s.app.URL+"/settings/sso/okta")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET okta page = %d", resp.StatusCode)
	}
	for _, frag := range []string{"OKTA AUTHENTICATION", "Default Role", "Client Secret", "Metadata URL",
		"Identity Provider Metadata URL", "Save settings", s.app.URL + "/sso/oidc/callback", s.op.clientID} {
		if !strings.Contains(page, frag) {
			t.Errorf("okta page lacks %q", frag)
		}
	}
	if strings.Contains(page, s.op.clientSecret) {
		t.Fatal("the okta page renders the client secret")
	}
	// Single logout: what Okta's "Enable Single Logout" asks for, the same certificate `sso show` prints.
	view, err := s.adm.ShowSSO(context.Background(), "acme", s.app.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, s.app.URL+"/sso/saml/slo") {
		t.Errorf("okta page lacks the Single Logout URL %s/sso/saml/slo", s.app.URL)
	}
	_, cert, _ := strings.Cut(page, `<pre id="sp-certificate">`)
	cert, _, _ = strings.Cut(cert, "</pre>")
	if html.UnescapeString(cert) != view.SPCertificate {
		t.Errorf("okta page's certificate = %q, want the one `sso show` prints, %q", cert, view.SPCertificate)
	}
	if !strings.Contains(view.SPCertificate, "BEGIN CERTIFICATE") || strings.Contains(page, "PRIVATE KEY") {
		t.Errorf("okta page must show the SP certificate and never its private key; certificate %q", view.SPCertificate)
	}
	// Saving with the secret left empty keeps the stored one.
	resp, body := post(t, c, s.app.URL+"/settings/sso/okta", oktaForm(s, ""))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d; body:\n%s", resp.StatusCode, body)
	}
	if got := s.conn(t); got.ClientSecret != s.op.clientSecret || got.DefaultRole != store.RoleMember {
		t.Errorf("after save: role %s, secret kept %t; want member, true", got.DefaultRole, got.ClientSecret == s.op.clientSecret)
	}
	// A bad metadata URL: a clear message, the previous connection untouched.
	form := oktaForm(s, "another-secret")
	form.Set("metadata_url", "http://127.0.0.1:1/.well-known/openid-configuration")
	resp, body = post(t, c, s.app.URL+"/settings/sso/okta", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Settings not saved") {
		t.Errorf("bad metadata save = %d; want 422 with a message; body:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "another-secret") {
		t.Error("the refused form renders the typed client secret")
	}
	if got := s.conn(t); got.ClientSecret != s.op.clientSecret || got.MetadataURL != s.op.issuer()+"/.well-known/openid-configuration" {
		t.Error("a refused save changed the stored connection")
	}
	_, audit := get(t, c, s.app.URL+"/settings/audit")
	if !strings.Contains(audit, "sso.configure") || !strings.Contains(audit, "boss@acme.test") {
		t.Errorf("audit log lacks the admin's sso.configure events:\n%s", audit)
	}
}

func TestFreePlanSeesUpgrade(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	if _, err := s.adm.CreateOrg(context.Background(), admin.OrgInput{Name: "cheap", Plan: "free",
		AdminEmail: "boss@cheap.test", AdminPassword: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	c := s.signIn(t, "boss@cheap.test", "correct horse")
	_, page := get(t, c, s.app.URL+"/settings/organization")
	if !strings.Contains(page, `id="upgrade"`) || strings.Contains(page, `id="sso-connect"`) {
		t.Errorf("free org's settings page: want the upgrade message and no Connect button:\n%s", page)
	}
	if resp, _ := get(t, c, s.app.URL+"/settings/sso/okta"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("free org GET okta page = %d, want 403", resp.StatusCode)
	}
	if resp, _ := post(t, c, s.app.URL+"/settings/sso/okta", oktaForm(s, "x")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("free org POST okta page = %d, want 403", resp.StatusCode)
	}
}

func TestMembersPageKeepsAnAdmin(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.signIn(t, "boss@acme.test", "correct horse")
	org := s.org(t, "acme")
	boss, err := s.st.MemberByEmail(context.Background(), org.ID, "boss@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		form       url.Values
		want       int
	}{
		{"remove the last admin", "/settings/members/" + boss.ID + "/remove", nil, http.StatusConflict},
		{"demote the last admin", "/settings/members/" + boss.ID + "/role", url.Values{"role": {"member"}}, http.StatusConflict},
		{"add without password", "/settings/members", url.Values{"email": {"x@acme.test"}, "role": {"member"}, "access": {"password"}}, http.StatusUnprocessableEntity},
		{"add a bad email", "/settings/members", url.Values{"email": {"nope"}, "role": {"member"}}, http.StatusUnprocessableEntity},
		{"add", "/settings/members", url.Values{"email": {"two@acme.test"}, "name": {"Two"}, "role": {"admin"}, "access": {"password"}, "password": {"second admin"}}, http.StatusSeeOther},
		{"add again", "/settings/members", url.Values{"email": {"TWO@acme.test"}, "role": {"member"}}, http.StatusConflict},
		{"demote with another admin", "/settings/members/" + boss.ID + "/role", url.Values{"role": {"viewer"}}, http.StatusSeeOther},
	}
	for _, tt := range tests {
		resp, body := post(t, c, s.app.URL+tt.path, tt.form)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d; body:\n%s", tt.name, resp.StatusCode, tt.want, body)
		}
	}
	two := s.signIn(t, "two@acme.test", "second admin")
	if resp, _ := post(t, two, s.app.URL+"/settings/members/"+boss.ID+"/remove", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("remove a viewer = %d, want 303", resp.StatusCode)
	}
	_, audit := get(t, two, s.app.URL+"/settings/audit")
	for _, a := range []string{"member.add", "member.remove", "member.role"} {
		if !strings.Contains(audit, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}
}

func TestAPIKeysPage(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.signIn(t, "boss@acme.test", "correct horse")
	resp, body := post(t, c, s.app.URL+"/settings/api-keys", url.Values{"kind": {"organization"}, "scope": {"scim", "org:read"}})
	key := regexp.MustCompile(`id="new-key" type="text" value="(rk_[A-Za-z0-9_-]{43})"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || key == nil {
		t.Fatalf("create key = %d, no key shown:\n%s", resp.StatusCode, body)
	}
	_, list := get(t, c, s.app.URL+"/settings/api-keys")
	if strings.Contains(list, key[1]) || !strings.Contains(list, key[1][:9]+"…") {
		t.Errorf("the list must show the prefix only")
	}
	scim := func() int {
		req, _ := http.NewRequest(http.MethodGet, s.app.URL+"/scim/v2/Users", nil)
		req.Header.Set("Authorization", "Bearer "+key[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := scim(); got != http.StatusOK {
		t.Fatalf("SCIM with the new key = %d, want 200", got)
	}
	ks, err := s.st.ListAPIKeys(context.Background(), s.org(t, "acme").ID)
	if err != nil || len(ks) != 1 || ks[0].LastUsedAt.IsZero() {
		t.Fatalf("ListAPIKeys = %+v, %v; want one key with a last use", ks, err)
	}
	if resp, _ := post(t, c, s.app.URL+"/settings/api-keys/"+ks[0].ID+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d, want 303", resp.StatusCode)
	}
	if got := scim(); got != http.StatusUnauthorized {
		t.Errorf("SCIM with a revoked key = %d, want 401", got)
	}
}

// linkToken reads the link token queued in the outbox for to.
func (s *stack) linkToken(t *testing.T, to string) string {
	t.Helper()
	ms, err := s.st.PendingMail(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.To == to {
			var p struct{ Token string }
			if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
				t.Fatal(err)
			}
			return p.Token
		}
	}
	t.Fatalf("no linking mail queued for %s among %d", to, len(ms))
	return ""
}

func TestSavingSSOInvitesMembersToLink(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.signIn(t, "boss@acme.test", "correct horse")
	if resp, body := post(t, c, s.app.URL+"/settings/sso/okta", oktaForm(s, "")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d; body:\n%s", resp.StatusCode, body)
	}
	token := s.linkToken(t, "boss@acme.test")
	link := s.app.URL + "/account/link/" + token
	visitor := browser(t)
	if resp, page := get(t, visitor, link); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="link-confirm"`) {
		t.Fatalf("GET link = %d; body:\n%s", resp.StatusCode, page)
	}
	if resp, page := get(t, visitor, link); resp.StatusCode != http.StatusOK { // looking does not use it up
		t.Fatalf("GET link = %d; body:\n%s", resp.StatusCode, page)
	}
	resp, _ := get(t, visitor, link+"/start")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), s.op.issuer()+"/authorize?") {
		t.Fatalf("POST link = %d -> %q, want 302 to the IdP", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, visitor, link+"/start"); resp.StatusCode != http.StatusGone {
		t.Errorf("second use of the link = %d, want 410", resp.StatusCode)
	}
	if resp, _ := get(t, visitor, s.app.URL+"/account/link/not-a-token"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown link = %d, want 404", resp.StatusCode)
	}
}

func TestPasswordRefusedWhenSSORequired(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.conn(t)
	c.Enforce = true
	if err := s.st.PutSSOConnection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	resp, body := post(t, browser(t), s.app.URL+"/login", url.Values{"email": {"boss@acme.test"}, "password": {"correct horse"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Your organization requires Okta SSO") {
		t.Fatalf("enforced password sign-in = %d; body:\n%s", resp.StatusCode, body)
	}
	if resp, body := post(t, browser(t), s.app.URL+"/login", url.Values{"email": {"boss@acme.test"}, "password": {"wrong password"}}); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "requires Okta SSO") {
		t.Errorf("a wrong password must not reveal the enforcement: %d", resp.StatusCode)
	}
	if err := s.adm.ResetSSO(context.Background(), "acme", false); err != nil {
		t.Fatal(err)
	}
	b := s.signIn(t, "boss@acme.test", "correct horse")
	evs, err := s.st.ListAudit(context.Background(), s.org(t, "acme").ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Action+" by "+e.Actor)
	}
	joined := strings.Join(got, ", ")
	if !strings.Contains(joined, "password.refused by boss@acme.test") || !strings.Contains(joined, "sso.reset by support") {
		t.Errorf("audit = %s; want password.refused and sso.reset by support", joined)
	}
	if _, page := get(t, b, s.app.URL+"/settings/audit"); !strings.Contains(page, "sso.reset") {
		t.Error("the audit log page lacks sso.reset")
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for i := range 10 {
		resp, _ := post(t, browser(t), s.app.URL+"/login", url.Values{"email": {"boss@acme.test"}, "password": {"wrong password"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, body := post(t, browser(t), s.app.URL+"/login", url.Values{"email": {"BOSS@acme.test"}, "password": {"correct horse"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many sign-in attempts") {
		t.Fatalf("11th attempt = %d (Retry-After %q); want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	s.advance(16 * time.Minute)
	s.signIn(t, "boss@acme.test", "correct horse")
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.signIn(t, "boss@acme.test", "correct horse")
	steps := []struct {
		advance time.Duration
		want    int
	}{
		{time.Hour, http.StatusOK},                           // used within the idle timeout (2h): slides
		{110 * time.Minute, http.StatusOK},                   // 1h50 after the last use
		{2*time.Hour + time.Minute, http.StatusUnauthorized}, // idle too long
	}
	for i, st := range steps {
		s.advance(st.advance)
		if status, _ := s.me(t, c); status != st.want {
			t.Errorf("step %d: /api/v1/me = %d, want %d", i, status, st.want)
		}
	}
	d := s.signIn(t, "boss@acme.test", "correct horse")
	for range 6 { // used every 1h50: idle never hits, the absolute 12h does
		s.advance(110 * time.Minute)
		if status, _ := s.me(t, d); status != http.StatusOK {
			t.Fatalf("active session expired early: %d", status)
		}
	}
	s.advance(110 * time.Minute)
	if status, _ := s.me(t, d); status != http.StatusUnauthorized {
		t.Errorf("session past its absolute lifetime: /api/v1/me = %d, want 401", status)
	}
	logout, _ := post(t, c, s.app.URL+"/logout", nil)
	if logout.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d", logout.StatusCode)
	}
}
