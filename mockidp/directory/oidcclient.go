package directory

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Token endpoint authentication methods an OIDC app may use ("" means client_secret_basic).
var tokenEndpointAuthMethods = []string{"", "client_secret_basic", "client_secret_post",
	"client_secret_jwt", "private_key_jwt", "none"}

// SetClientAuthentication sets how an OIDC app authenticates at the token, introspection and revocation
// endpoints: the token_endpoint_auth_method and, for private_key_jwt, the client's public key set (a
// JSON object with a "keys" array; nil clears it).
func (o *Org) SetClientAuthentication(appID, method string, jwks []byte) error {
	if !slices.Contains(tokenEndpointAuthMethods, method) {
		return fmt.Errorf("set client authentication: method %q: %w", method, ErrInvalid)
	}
	if len(jwks) > 0 {
		var set struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(jwks, &set); err != nil || set.Keys == nil {
			return fmt.Errorf("set client authentication: JWKS is not a JSON key set: %w", ErrInvalid)
		}
	}
	return o.updateApp(appID, func(a *App) error {
		if a.SignOnMode != SignOnModeOIDC {
			return fmt.Errorf("app %q is not an OIDC app: %w", appID, ErrInvalid)
		}
		a.TokenEndpointAuthMethod, a.JWKS = method, slices.Clone(jwks)
		return nil
	})
}
