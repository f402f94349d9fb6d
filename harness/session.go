package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// ErrAskedForPassword is returned by HeadlessSSO when the mock Okta showed its sign-in form: the browser
// had no Okta session it would honour.
var ErrAskedForPassword = errors.New("okta asked for a password")

// NewSiblingTenant creates another organization in the app, connected over spec.Protocol to the same mock
// Okta org as first (a second app integration there, provisioning to the new organization), so that one
// Okta session can be followed across two apps and protocols. Users come from first.AddOktaUser; assign
// them to the sibling's app with the sibling's Assign.
func (st *Stack) NewSiblingTenant(ctx context.Context, first *Tenant, spec TenantSpec) (*Tenant, error) {
	spec = spec.withDefaults()
	tn := &Tenant{Org: uniqueName(spec.Name), AdminPassword: randomSecret(), passwords: first.passwords,
		IdPOrg: first.IdPOrg, Protocol: spec.Protocol}
	tn.AdminEmail = "admin@" + tn.Org + ".test"
	err := st.App.CreateOrg(ctx, OrgSpec{Name: tn.Org, Plan: spec.Plan, AdminEmail: tn.AdminEmail, AdminPassword: tn.AdminPassword})
	if err != nil {
		return nil, fmt.Errorf("new sibling tenant: %w", err)
	}
	key, err := st.App.CreateAPIKey(ctx, tn.Org, "scim")
	if err != nil {
		return nil, fmt.Errorf("new sibling tenant: %w", err)
	}
	tn.SCIM = SCIMTarget{BaseURL: st.App.LocalURL + "/scim/v2", Authorization: "Bearer " + key}
	info, err := st.App.SSOShow(ctx, tn.Org)
	if err != nil {
		return nil, fmt.Errorf("new sibling tenant: %w", err)
	}
	if spec.Protocol == "saml" {
		err = st.connectSAML(ctx, tn, spec, info, key)
	} else {
		err = st.connectOIDC(ctx, tn, spec, info, key)
	}
	if err != nil {
		return nil, fmt.Errorf("new sibling tenant: %w", err)
	}
	return tn, nil
}

// HeadlessSSO starts the app's SSO sign-in for org with a client that may already hold an Okta session
// (from HeadlessSignIn): it follows the redirects and, for SAML, the auto-submitted response form, and
// fails with ErrAskedForPassword when the mock Okta shows its sign-in form instead of answering at once.
// It does not check who is signed in afterwards; read the app's /api/v1/me for that.
func HeadlessSSO(ctx context.Context, client *http.Client, appURL, org string) error {
	page, err := fetch(ctx, client, http.MethodGet, RefAppSSOStart(appURL, org), nil)
	if err != nil {
		return fmt.Errorf("headless sso: %w", err)
	}
	if _, err := formHolding(page, "okta-signin-username"); err == nil {
		return fmt.Errorf("headless sso: %s: %w", RedactURL(page.url), ErrAskedForPassword)
	}
	if page, err = postSAMLForm(ctx, client, page); err != nil {
		return fmt.Errorf("headless sso: %w", err)
	}
	if page.status >= 400 {
		return fmt.Errorf("headless sso: landed on %s with status %d", RedactURL(page.url), page.status)
	}
	return nil
}

// HeadlessSignOut signs out of the reference app at appURL as its "Sign out" button does (POST
// /logout) and, when the app's single logout sends the browser to the IdP, posts the IdP's
// auto-submitted LogoutResponse form back to the app. It returns the URL the browser ends on and that
// page's status.
func HeadlessSignOut(ctx context.Context, client *http.Client, appURL string) (string, int, error) {
	page, err := fetch(ctx, client, http.MethodPost, appURL+"/logout", url.Values{})
	if err != nil {
		return "", 0, fmt.Errorf("headless sign-out: %w", err)
	}
	if page, err = postSAMLForm(ctx, client, page); err != nil {
		return "", 0, fmt.Errorf("headless sign-out: %w", err)
	}
	return page.url, page.status, nil
}
