package oidcop

import "net/http"

// discovery is the org authorization server's metadata with Okta's field set
// and order (mock-idp.md 1.2).
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	IntrospectionAuthMethods          []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	RevocationAuthMethods             []string `json:"revocation_endpoint_auth_methods_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestObjectSigningAlgs          []string `json:"request_object_signing_alg_values_supported"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	PushedAuthorizationEndpoint       string   `json:"pushed_authorization_request_endpoint"`
	BackchannelDeliveryModes          []string `json:"backchannel_token_delivery_modes_supported"`
	BackchannelSigningAlgs            []string `json:"backchannel_authentication_request_signing_alg_values_supported"`
	DPoPSigningAlgs                   []string `json:"dpop_signing_alg_values_supported"`
}

var (
	authMethods = []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"}
	jwsAlgs     = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}
	asymAlgs    = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}
)

func (p *Provider) discovery() discovery {
	return discovery{
		Issuer:                 p.cfg.Issuer,
		AuthorizationEndpoint:  p.endpoint(PathAuthorize),
		TokenEndpoint:          p.endpoint(PathToken),
		UserinfoEndpoint:       p.endpoint(PathUserinfo),
		RegistrationEndpoint:   p.endpoint("/oauth2/v1/clients"),
		JWKSURI:                p.endpoint(PathKeys),
		ResponseTypesSupported: []string{"code", "id_token", "code id_token", "code token", "id_token token", "code id_token token"},
		ResponseModesSupported: []string{"query", "fragment", "form_post", "okta_post_message"},
		GrantTypesSupported: []string{"authorization_code", "implicit", "refresh_token", "password",
			"urn:ietf:params:oauth:grant-type:device_code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ScopesSupported:                   []string{"openid", "email", "profile", "address", "phone", "offline_access", "groups"},
		TokenEndpointAuthMethodsSupported: authMethods,
		ClaimsSupported: []string{"iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp",
			"nonce", "name", "nickname", "preferred_username", "given_name", "middle_name", "family_name",
			"email", "email_verified", "profile", "zoneinfo", "locale", "address", "phone_number", "picture",
			"website", "gender", "birthdate", "updated_at", "at_hash", "c_hash"},
		CodeChallengeMethodsSupported: []string{"S256"},
		IntrospectionEndpoint:         p.endpoint("/oauth2/v1/introspect"),
		IntrospectionAuthMethods:      authMethods,
		RevocationEndpoint:            p.endpoint("/oauth2/v1/revoke"),
		RevocationAuthMethods:         authMethods,
		EndSessionEndpoint:            p.endpoint("/oauth2/v1/logout"),
		RequestParameterSupported:     true,
		RequestObjectSigningAlgs:      jwsAlgs,
		DeviceAuthorizationEndpoint:   p.endpoint("/oauth2/v1/device/authorize"),
		PushedAuthorizationEndpoint:   p.endpoint("/oauth2/v1/par"),
		BackchannelDeliveryModes:      []string{"poll"},
		BackchannelSigningAlgs:        jwsAlgs,
		DPoPSigningAlgs:               asymAlgs,
	}
}

func (p *Provider) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "max-age=86400, must-revalidate")
	writeJSON(w, http.StatusOK, p.discovery())
}
