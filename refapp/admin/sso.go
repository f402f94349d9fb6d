package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/samlsp"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// SSOInput is an Okta connection as entered on the OKTA AUTHENTICATION page.
type SSOInput struct {
	Org      string
	Protocol string // "oidc" or "saml"
	// MetadataURL is, for OIDC, https://{org}.okta.com/.well-known/openid-configuration (optionally
	// with ?client_id=...); for SAML, the Identity Provider Metadata URL of the Okta app.
	MetadataURL  string
	ClientID     string // OIDC only
	ClientSecret string // OIDC only
	// EntityID, for SAML, is the IdP entity ID the metadata must name. Optional: by default an Okta-style
	// metadata URL (.../app/{key}/sso/saml/metadata) must name an entity ID ending in /{key}.
	EntityID    string
	DefaultRole string // admin, member or viewer
	// Sync is "Sync the group & users from your SSO provider": SCIM
	// provisioning is refused (403) unless it is on.
	Sync bool
	// Enforce is "Require your organization members to use SSO to access".
	Enforce bool
}

// SetSSO checks the input, fetches and checks the provider's metadata (OIDC discovery document or SAML
// IdP metadata), and saves the connection. Nothing is saved when any check fails: the previous
// connection stays as it was. After a save it appends an "sso.configure" audit event and calls
// Config.OnSSOSaved.
func (a *Admin) SetSSO(ctx context.Context, in SSOInput) error {
	org, err := a.org(ctx, in.Org)
	if err != nil {
		return fmt.Errorf("set sso: %w", err)
	}
	if !org.Plan.AllowsSSO() && !defence.Off(defence.PlanGate) {
		return fmt.Errorf("set sso: organization %q is on the %s plan; SSO needs the pro or enterprise plan", org.Name, org.Plan)
	}
	role := store.Role(in.DefaultRole)
	if !role.Valid() {
		return fmt.Errorf("set sso: unknown default role %q (valid: admin, member, viewer)", in.DefaultRole)
	}
	c := store.SSOConnection{OrgID: org.ID, Protocol: in.Protocol, MetadataURL: in.MetadataURL, DefaultRole: role,
		SyncEnabled: in.Sync, Enforce: in.Enforce, UpdatedAt: a.cfg.Now()}
	switch in.Protocol {
	case "oidc":
		err = a.checkOIDC(ctx, in, &c)
	case "saml":
		err = a.checkSAML(ctx, in, &c)
	default:
		err = fmt.Errorf("protocol %q is not supported (supported: oidc, saml)", in.Protocol)
	}
	if err != nil {
		a.auditSSO(ctx, org.ID, "failure", "SSO settings refused, nothing saved: "+err.Error())
		return fmt.Errorf("set sso: %w", err)
	}
	if err := a.cfg.Store.PutSSOConnection(ctx, c); err != nil {
		return fmt.Errorf("set sso: %w", err)
	}
	a.auditSSO(ctx, org.ID, "success", fmt.Sprintf("%s connection saved (issuer %s, default role %s, sync %t, enforce %t)",
		strings.ToUpper(c.Protocol), c.Issuer, c.DefaultRole, c.SyncEnabled, c.Enforce))
	a.cfg.Logger.InfoContext(ctx, "sso connection saved", slog.String("org", org.Name), slog.String("protocol", c.Protocol),
		slog.String("issuer", c.Issuer), slog.String("client_id", c.ClientID), slog.Bool("sync", c.SyncEnabled),
		slog.Bool("enforce", c.Enforce))
	if a.cfg.OnSSOSaved != nil {
		if err := a.cfg.OnSSOSaved(ctx, org.ID); err != nil {
			return fmt.Errorf("set sso: saved, but: %w", err)
		}
	}
	return nil
}

// checkOIDC checks an OIDC connection and fills in c.
func (a *Admin) checkOIDC(ctx context.Context, in SSOInput, c *store.SSOConnection) error {
	if strings.TrimSpace(in.ClientID) == "" || in.ClientSecret == "" {
		return errors.New("client ID and client secret are required")
	}
	issuer, err := oidcrp.IssuerFromMetadataURL(in.MetadataURL)
	if err != nil {
		return err
	}
	if _, err := oidcrp.DiscoverURL(ctx, a.cfg.HTTPClient, in.MetadataURL, issuer); err != nil {
		return fmt.Errorf("the OpenID Provider metadata could not be used, nothing was saved: %w", err)
	}
	c.Issuer, c.ClientID, c.ClientSecret = issuer, strings.TrimSpace(in.ClientID), in.ClientSecret
	return nil
}

// checkSAML fetches and checks the IdP metadata and fills in c.
func (a *Admin) checkSAML(ctx context.Context, in SSOInput, c *store.SSOConnection) error {
	if in.ClientID != "" || in.ClientSecret != "" {
		return errors.New("a SAML connection takes no client ID or client secret")
	}
	md, err := samlsp.FetchIdPMetadata(ctx, a.cfg.HTTPClient, in.MetadataURL, in.EntityID)
	if err != nil {
		return fmt.Errorf("nothing was saved: %w", err)
	}
	c.Issuer, c.IdPMetadata = md.EntityID, md.XML
	return nil
}

func (a *Admin) auditSSO(ctx context.Context, orgID, outcome, detail string) {
	id, err := auth.NewID(a.cfg.Rand)
	if err == nil {
		err = a.cfg.Store.AppendAudit(ctx, store.AuditEvent{ID: id, OrgID: orgID, At: a.cfg.Now(), Actor: a.cfg.Actor,
			Action: "sso.configure", Outcome: outcome, Detail: detail})
	}
	if err != nil {
		a.cfg.Logger.ErrorContext(ctx, "append audit", slog.Any("error", err))
	}
}

// SSOView is what `refapp sso show` prints: what to enter in Okta and what is
// configured, never the client secret. The connection fields are empty until SSO is set.
type SSOView struct {
	// RedirectURI is the OIDC "Sign-in redirect URI".
	RedirectURI string `json:"redirect_uri"`
	// ACSURL is the SAML "Single sign-on URL" (Assertion Consumer Service, HTTP-POST).
	ACSURL string `json:"acs_url"`
	// SPEntityID is the SAML "Audience URI (SP Entity ID)"; it is also the SP metadata URL.
	SPEntityID    string `json:"sp_entity_id"`
	SPMetadataURL string `json:"sp_metadata_url"`
	// SLOURL is the SAML "Single Logout URL" and SPCertificate (PEM) the "Signature Certificate" Okta
	// verifies this app's LogoutRequests with (the app's "Enable Single Logout").
	SLOURL         string `json:"slo_url"`
	SPCertificate  string `json:"sp_certificate"`
	SCIMBaseURL    string `json:"scim_base_url"`
	Protocol       string `json:"protocol"`
	MetadataURL    string `json:"metadata_url"`
	Issuer         string `json:"issuer"` // OIDC issuer or SAML IdP entity ID
	ClientID       string `json:"client_id"`
	DefaultRole    string `json:"default_role"`
	Sync           bool   `json:"sync"`
	Enforce        bool   `json:"enforce"`
	HasIdPMetadata bool   `json:"has_idp_metadata"`
}

// ShowSSO describes the organization's SSO connection for an app served at baseURL.
func (a *Admin) ShowSSO(ctx context.Context, orgName, baseURL string) (SSOView, error) {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return SSOView{}, fmt.Errorf("show sso: %w", err)
	}
	base := strings.TrimRight(baseURL, "/")
	v := SSOView{RedirectURI: base + oidcrp.CallbackPath, ACSURL: samlsp.ACSURLFor(base), SPEntityID: samlsp.EntityIDFor(base),
		SPMetadataURL: samlsp.EntityIDFor(base), SCIMBaseURL: base + "/scim/v2", SLOURL: samlsp.SLOURLFor(base)}
	if v.SPCertificate, err = samlsp.SigningCertificate(ctx, a.cfg.Store, v.SPEntityID, a.cfg.Now()); err != nil {
		return SSOView{}, fmt.Errorf("show sso: %w", err)
	}
	c, err := a.cfg.Store.SSOConnection(ctx, org.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v, nil
	case err != nil:
		return SSOView{}, fmt.Errorf("show sso: %w", err)
	}
	v.Protocol, v.MetadataURL, v.Issuer, v.ClientID, v.DefaultRole = c.Protocol, c.MetadataURL, c.Issuer, c.ClientID, string(c.DefaultRole)
	v.Sync, v.Enforce, v.HasIdPMetadata = c.SyncEnabled, c.Enforce, c.IdPMetadata != ""
	return v, nil
}
