package mockidp

import (
	"context"
	"fmt"
	"net/url"

	"github.com/ssoconform/ssoconform/mockidp/oidcop"
)

// RotateKeys rotates the signing keys of the org's authorization servers
// (org and default): the next key becomes current, so new ID tokens carry
// a kid the relying party saw only as "next", and a fresh next key is
// published in /keys.
func (o *Org) RotateKeys(ctx context.Context) error {
	return o.oidc.RotateKeys(ctx)
}

// DefaultIssuer returns the issuer of the org's "default" custom
// authorization server: BaseURL() + "/oauth2/default". Its discovery
// document is DefaultIssuer() + "/.well-known/openid-configuration".
func (o *Org) DefaultIssuer() string { return o.baseURL + "/oauth2/" + oidcop.DefaultServerID }

// AppDiscoveryURL returns the client-specific discovery URL of an OIDC app
// (Okta's "?client_id=" variant of the org server's document). The
// oidc-discovery-issuer-wrong fault shows only there.
func (o *Org) AppDiscoveryURL(appID string) string {
	return o.DiscoveryURL() + "?client_id=" + url.QueryEscape(appID)
}

// Token endpoint authentication methods for SetClientAuthentication.
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthPrivateKeyJWT     = "private_key_jwt"
	AuthNone              = "none"
)

// SetClientAuthentication sets how an OIDC app authenticates at /token,
// /introspect and /revoke. jwks is the client's public JWK set (JSON) for
// private_key_jwt; AuthNone makes it a public client that must use PKCE.
// client_secret_basic and client_secret_post stand for each other, as on
// Okta.
func (o *Org) SetClientAuthentication(ctx context.Context, appID, method string, jwks []byte) error {
	return o.dir.SetClientAuthentication(appID, method, jwks)
}

// SetPostLogoutRedirectURIs replaces an OIDC app's sign-out redirect URIs,
// the only post_logout_redirect_uri values /logout accepts.
func (o *Org) SetPostLogoutRedirectURIs(ctx context.Context, appID string, uris ...string) error {
	app, ok := o.dir.App(appID)
	if !ok {
		return fmt.Errorf("set post-logout redirect uris: app %q: %w", appID, ErrNotFound)
	}
	return o.dir.SetRedirectURIs(appID, app.RedirectURIs, uris)
}
