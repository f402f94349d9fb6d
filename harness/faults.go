package harness

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/mockidp"
)

// IdPFault is one deliberate defect the mock Okta can put into an app's responses: Name ("oidc-..." or
// "saml-..."), the Rule it breaks and a Description of what changes.
type IdPFault struct {
	Name, Rule, Description string
}

// IdPFaults is the mock's fault catalogue, sorted by name, for specs to generate one case per fault.
func IdPFaults() []IdPFault {
	var out []IdPFault
	for _, f := range mockidp.Faults() {
		out = append(out, IdPFault(f))
	}
	return out
}

// SetFaults replaces the faults of the tenant's app in the mock (none clears them).
func (tn *Tenant) SetFaults(ctx context.Context, names ...string) error {
	if err := tn.IdPOrg.SetFaults(ctx, tn.AppID(), names...); err != nil {
		return fmt.Errorf("tenant %s: %w", tn.Org, err)
	}
	return nil
}

// AppDiscoveryURL is the OIDC discovery URL specific to the tenant's OIDC app (?client_id=...), the one
// the mock's discovery-issuer fault changes.
func (tn *Tenant) AppDiscoveryURL() string { return tn.IdPOrg.AppDiscoveryURL(tn.OIDCApp.ID) }

// ReconnectOIDC runs `refapp sso set` again for the tenant's OIDC app with metadataURL, as an admin
// saving the settings page; refapp's error (it refused and kept the previous settings) is returned.
func (tn *Tenant) ReconnectOIDC(ctx context.Context, app *RefApp, metadataURL string) error {
	return app.SetOIDC(ctx, tn.Org, OIDCSettings{MetadataURL: metadataURL, ClientID: tn.OIDCApp.ClientID,
		ClientSecret: tn.OIDCApp.ClientSecret})
}

// ReconnectSAML runs `refapp sso set --protocol saml` again for the tenant's SAML app, so refapp
// re-fetches the IdP metadata (e.g. after a fault changed the certificate it publishes).
func (tn *Tenant) ReconnectSAML(ctx context.Context, app *RefApp) error {
	return app.SetSAML(ctx, tn.Org, SAMLSettings{MetadataURL: tn.SAMLApp.MetadataURL})
}
