// Package refappdriver is the reference app's implementation of harness.App, the interface the SSO
// catalogue (`ssoconform sso`, specs.RunSSO) drives any app through: each Connect makes a fresh
// organization in refapp (its CLI) and in the mock Okta, connected over the protocol; sign-in starts at
// refapp's /sso/{org}/start and /api/v1/me says who is signed in. Pages (pages.go) drives refapp's
// browser pages, the login page's SSO path, for the reference suite (harness.Driver).
//
//	st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: bin, Dir: dir, NoBrowser: true})
//	app := refappdriver.New(st)
//	tn, err := app.Connect(ctx, "oidc")
package refappdriver

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/ssoconform/ssoconform/harness"
)

// App drives a running reference stack's refapp.
type App struct {
	st *harness.Stack

	mu      sync.Mutex
	tenants map[string]*harness.Tenant // by organization
}

var (
	_ harness.App         = (*App)(nil)
	_ harness.Reconnector = (*App)(nil)
)

// New drives the refapp of st (started with its mock Okta by harness.StartStack).
func New(st *harness.Stack) *App { return &App{st: st, tenants: map[string]*harness.Tenant{}} }

// Connect makes a uniquely named organization on both sides, connected over protocol, with the mock
// provisioning refapp by SCIM.
func (a *App) Connect(ctx context.Context, protocol string) (harness.AppTenant, error) {
	tn, err := a.st.NewTenant(ctx, harness.TenantSpec{Name: "cat" + protocol, Protocol: protocol})
	if err != nil {
		return harness.AppTenant{}, fmt.Errorf("refapp: %w", err)
	}
	a.mu.Lock()
	a.tenants[tn.Org] = tn
	a.mu.Unlock()
	return harness.AppTenant{Org: tn.Org, Protocol: protocol, IdPOrg: tn.IdPOrg, AppID: tn.AppID()}, nil
}

// Protocols are both: refapp signs in over OIDC and SAML.
func (a *App) Protocols() []string { return []string{"oidc", "saml"} }

// SignInURL is refapp's SP-initiated start for the organization (what "Sign in with Okta" links to).
func (a *App) SignInURL(org, _ string) string {
	return harness.RefAppSSOStart(a.st.App.URL, org)
}

// CallbackPath is refapp's OIDC redirect URI path.
func (a *App) CallbackPath() string { return "/sso/oidc/callback" }

// Identity asks refapp's /api/v1/me.
func (a *App) Identity(ctx context.Context, client *http.Client, _ harness.Landing) (harness.Identity, bool, error) {
	return harness.IdentityAt(ctx, client, a.st.App.URL+"/api/v1/me")
}

// ShowsRefusal: refapp ends a refused sign-in on its error page, "Sign-in failed".
func (a *App) ShowsRefusal(land harness.Landing) error {
	return harness.RefusalPage{MinStatus: 400, Text: "Sign-in failed"}.Check(land)
}

// Log is the end of refapp's log.
func (a *App) Log(max int) string { return a.st.App.Log(max) }

// Reconnect runs `refapp sso set` again for the organization, as an admin saving the settings page:
// SAML re-reads the IdP metadata; OIDC uses metadataURL (default: the org's discovery URL).
func (a *App) Reconnect(ctx context.Context, at harness.AppTenant, metadataURL string) error {
	a.mu.Lock()
	tn, ok := a.tenants[at.Org]
	a.mu.Unlock()
	if !ok {
		return fmt.Errorf("refapp: no organization %q made by Connect", at.Org)
	}
	if at.Protocol == "saml" {
		return tn.ReconnectSAML(ctx, a.st.App)
	}
	if metadataURL == "" {
		metadataURL = tn.IdPOrg.DiscoveryURL()
	}
	return tn.ReconnectOIDC(ctx, a.st.App, metadataURL)
}

// Outcome reads the page a headless sign-in landed on as Pages.Outcome reads the browser's: the
// signed-in page's #member-name, or the error page's #error.
func (a *App) Outcome(land harness.Landing) (harness.Outcome, error) {
	out := harness.Outcome{URL: land.URL}
	name, ok, err := harness.TextAt(land.Body, "#member-name")
	if err != nil {
		return out, fmt.Errorf("read SSO outcome: %w", err)
	}
	if ok {
		out.SignedIn, out.Name = true, name
		return out, nil
	}
	if out.Error, ok, err = harness.TextAt(land.Body, "#error"); err != nil {
		return out, fmt.Errorf("read SSO outcome: %w", err)
	}
	if !ok {
		return out, fmt.Errorf("read SSO outcome: neither the signed-in page nor the error page at %s (%d): %s",
			land.URL, land.Status, land.Excerpt)
	}
	return out, nil
}
