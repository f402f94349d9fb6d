package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// SSOInput is an Okta connection as entered on the OKTA AUTHENTICATION page.
type SSOInput struct {
	Org          string
	Protocol     string // "oidc"
	MetadataURL  string // https://{org}.okta.com/.well-known/openid-configuration
	ClientID     string
	ClientSecret string
	DefaultRole  string // admin, member or viewer
	// Sync is "Sync the group & users from your SSO provider": SCIM
	// provisioning is refused (403) unless it is on.
	Sync bool
}

// SetSSO checks the input, fetches and checks the discovery document, and
// saves the connection. Nothing is saved when any check fails.
func (a *Admin) SetSSO(ctx context.Context, in SSOInput) error {
	org, err := a.org(ctx, in.Org)
	if err != nil {
		return fmt.Errorf("set sso: %w", err)
	}
	if !org.Plan.AllowsSSO() {
		return fmt.Errorf("set sso: organization %q is on the %s plan; SSO needs the pro or enterprise plan", org.Name, org.Plan)
	}
	if in.Protocol != "oidc" {
		return fmt.Errorf("set sso: protocol %q is not supported (supported: oidc)", in.Protocol)
	}
	role := store.Role(in.DefaultRole)
	if !role.Valid() {
		return fmt.Errorf("set sso: unknown default role %q (valid: admin, member, viewer)", in.DefaultRole)
	}
	if strings.TrimSpace(in.ClientID) == "" || in.ClientSecret == "" {
		return errors.New("set sso: client ID and client secret are required")
	}
	issuer, err := oidcrp.IssuerFromMetadataURL(in.MetadataURL)
	if err != nil {
		return fmt.Errorf("set sso: %w", err)
	}
	if _, err := oidcrp.Discover(ctx, a.cfg.HTTPClient, issuer); err != nil {
		return fmt.Errorf("set sso: the OpenID Provider metadata could not be used, nothing was saved: %w", err)
	}
	c := store.SSOConnection{OrgID: org.ID, Protocol: in.Protocol, MetadataURL: in.MetadataURL, Issuer: issuer,
		ClientID: strings.TrimSpace(in.ClientID), ClientSecret: in.ClientSecret, DefaultRole: role, SyncEnabled: in.Sync,
		UpdatedAt: a.cfg.Now()}
	if err := a.cfg.Store.PutSSOConnection(ctx, c); err != nil {
		return fmt.Errorf("set sso: %w", err)
	}
	a.cfg.Logger.InfoContext(ctx, "sso connection saved", slog.String("org", org.Name), slog.String("issuer", issuer),
		slog.String("client_id", c.ClientID), slog.Bool("sync", c.SyncEnabled))
	return nil
}

// SSOView is what `refapp sso show` prints: what to enter in Okta and what is
// configured, never the client secret. The connection fields are empty until SSO is set.
type SSOView struct {
	RedirectURI string `json:"redirect_uri"`
	SCIMBaseURL string `json:"scim_base_url"`
	Protocol    string `json:"protocol"`
	MetadataURL string `json:"metadata_url"`
	ClientID    string `json:"client_id"`
	DefaultRole string `json:"default_role"`
	Sync        bool   `json:"sync"`
}

// ShowSSO describes the organization's SSO connection for an app served at baseURL.
func (a *Admin) ShowSSO(ctx context.Context, orgName, baseURL string) (SSOView, error) {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return SSOView{}, fmt.Errorf("show sso: %w", err)
	}
	base := strings.TrimRight(baseURL, "/")
	v := SSOView{RedirectURI: base + oidcrp.CallbackPath, SCIMBaseURL: base + "/scim/v2"}
	c, err := a.cfg.Store.SSOConnection(ctx, org.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v, nil
	case err != nil:
		return SSOView{}, fmt.Errorf("show sso: %w", err)
	}
	v.Protocol, v.MetadataURL, v.ClientID, v.DefaultRole = c.Protocol, c.MetadataURL, c.ClientID, string(c.DefaultRole)
	v.Sync = c.SyncEnabled
	return v, nil
}
