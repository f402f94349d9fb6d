package harness

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
)

// BenchmarkHeadlessSignIn measures complete sign-ins through refapp against the mock without a browser
// (OIDC and SAML: refapp's start, the mock's sign-in form, the callback or ACS, then /api/v1/me), and
// beside them the mock's own OIDC flow rate (authorize, sign-in form, token) in the same run. It reports
// sign-ins per second and the p50/p99 of one sign-in.
func BenchmarkHeadlessSignIn(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	st, err := StartStack(ctx, StackConfig{RefAppBin: refAppBin(b), Dir: b.TempDir(), NoBrowser: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(context.Background())
	for _, protocol := range []string{"oidc", "saml"} {
		tn, u := benchTenant(ctx, b, st, protocol)
		b.Run("refapp-"+protocol, func(b *testing.B) {
			measure(b, func() error {
				c := HeadlessClient()
				defer c.CloseIdleConnections()
				return HeadlessSignIn(ctx, c, st.App.URL, tn.Org, u.Login, tn.Password(u))
			})
		})
	}
	tn, u := benchTenant(ctx, b, st, "oidc")
	app, err := tn.IdPOrg.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "bench", RedirectURIs: []string{"http://rp.test/cb"}})
	if err != nil {
		b.Fatal(err)
	}
	if err := tn.IdPOrg.AssignUser(ctx, app.ID, u.ID); err != nil {
		b.Fatal(err)
	}
	b.Run("mock-oidc-code-flow", func(b *testing.B) {
		measure(b, func() error { return mockCodeFlow(ctx, tn.IdPOrg, app, u.Login, tn.Password(u)) })
	})
}

func benchTenant(ctx context.Context, b *testing.B, st *Stack, protocol string) (*Tenant, mockidp.User) {
	b.Helper()
	tn, err := st.NewTenant(ctx, TenantSpec{Name: "bench" + protocol, Protocol: protocol})
	if err != nil {
		b.Fatal(err)
	}
	u, err := tn.AddOktaUser(ctx, "Bench", "User")
	if err != nil {
		b.Fatal(err)
	}
	if err := tn.Assign(ctx, u); err != nil {
		b.Fatal(err)
	}
	return tn, u
}

// measure runs op b.N times and reports the rate and the p50/p99 latency.
func measure(b *testing.B, op func() error) {
	var took []time.Duration
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	elapsed := time.Since(start)
	slices.Sort(took)
	b.ReportMetric(float64(len(took))/elapsed.Seconds(), "sign-ins/s")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// mockCodeFlow is an OIDC code flow with PKCE against the mock alone: authorize, the sign-in form, and
// the token request (client_secret_basic).
func mockCodeFlow(ctx context.Context, org *mockidp.Org, app mockidp.App, login, password string) error {
	client := HeadlessClient()
	defer client.CloseIdleConnections()
	client.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == "rp.test" {
			return http.ErrUseLastResponse // the relying party is not there: stop at its callback
		}
		return nil
	}
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {"http://rp.test/cb"}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {rand.Text()}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	page, err := fetch(ctx, client, http.MethodGet, org.BaseURL()+"/oauth2/v1/authorize?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	f, err := formHolding(page, "okta-signin-username")
	if err != nil {
		return err
	}
	f.values.Set("username", login)
	f.values.Set("password", password)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.action, strings.NewReader(f.values.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return fmt.Errorf("no code in the redirect (status %d)", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://rp.test/cb"}, "code_verifier": {verifier}}
	treq, err := http.NewRequestWithContext(ctx, http.MethodPost, org.BaseURL()+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(url.QueryEscape(app.ClientID), url.QueryEscape(app.ClientSecret))
	tresp, err := client.Do(treq)
	if err != nil {
		return err
	}
	defer tresp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(tresp.Body).Decode(&tok); err != nil || tresp.StatusCode != http.StatusOK || tok.IDToken == "" {
		return fmt.Errorf("token request: status %d: %w", tresp.StatusCode, errors.Join(err, errors.New("no id_token")))
	}
	return nil
}
