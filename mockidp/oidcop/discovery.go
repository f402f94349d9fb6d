package oidcop

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

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

// discovery returns as's metadata. For a client (client_id on the
// discovery URL) it is client-specific, as on Okta: jwks_uri and
// registration_endpoint name the client and the supported types and methods
// narrow to the client's settings.
func (p *Provider) discovery(as *authServer, app *directory.App) discovery {
	scopes := []string{"openid", "email", "profile", "address", "phone", "offline_access", "groups"}
	grants := []string{"authorization_code", "implicit", "refresh_token", "password",
		"urn:ietf:params:oauth:grant-type:device_code"}
	if as.custom() {
		scopes = scopes[:len(scopes)-1] // no groups claim unless configured
		grants = slices.Insert(grants, 4, "client_credentials")
	}
	d := discovery{
		Issuer:                            as.issuer,
		AuthorizationEndpoint:             p.endpoint(as, "/authorize"),
		TokenEndpoint:                     p.endpoint(as, "/token"),
		UserinfoEndpoint:                  p.endpoint(as, "/userinfo"),
		RegistrationEndpoint:              p.cfg.Issuer + PathClients,
		JWKSURI:                           p.endpoint(as, "/keys"),
		ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "code token", "id_token token", "code id_token token"},
		ResponseModesSupported:            []string{"query", "fragment", "form_post", "okta_post_message"},
		GrantTypesSupported:               grants,
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ScopesSupported:                   scopes,
		TokenEndpointAuthMethodsSupported: authMethods,
		ClaimsSupported: []string{"iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp",
			"nonce", "name", "nickname", "preferred_username", "given_name", "middle_name", "family_name",
			"email", "email_verified", "profile", "zoneinfo", "locale", "address", "phone_number", "picture",
			"website", "gender", "birthdate", "updated_at", "at_hash", "c_hash"},
		CodeChallengeMethodsSupported: []string{"S256"},
		IntrospectionEndpoint:         p.endpoint(as, "/introspect"),
		IntrospectionAuthMethods:      authMethods,
		RevocationEndpoint:            p.endpoint(as, "/revoke"),
		RevocationAuthMethods:         authMethods,
		EndSessionEndpoint:            p.endpoint(as, "/logout"),
		RequestParameterSupported:     true,
		RequestObjectSigningAlgs:      jwsAlgs,
		DeviceAuthorizationEndpoint:   p.endpoint(as, "/device/authorize"),
		PushedAuthorizationEndpoint:   p.endpoint(as, "/par"),
		BackchannelDeliveryModes:      []string{"poll"},
		BackchannelSigningAlgs:        jwsAlgs,
		DPoPSigningAlgs:               asymAlgs,
	}
	if app != nil {
		method := cmp.Or(app.TokenEndpointAuthMethod, authSecretBasic)
		d.JWKSURI += "?client_id=" + url.QueryEscape(app.ClientID)
		d.RegistrationEndpoint += "/" + url.PathEscape(app.ClientID)
		d.ResponseTypesSupported = []string{"code"}
		d.GrantTypesSupported = []string{"authorization_code"}
		d.TokenEndpointAuthMethodsSupported = []string{method}
		if app.HasFault(FaultDiscoveryIssWrong) {
			d.Issuer += "1"
		}
	}
	return d
}

func (p *Provider) handleDiscovery(w http.ResponseWriter, r *http.Request, as *authServer) {
	var app *directory.App
	if id := r.URL.Query().Get("client_id"); id != "" {
		a, ok := p.cfg.Directory.AppByClientID(id)
		if !ok {
			p.writeJSONError(w, r, errInvalidClientID)
			return
		}
		app = &a
	}
	w.Header().Set("Cache-Control", "max-age=86400, must-revalidate")
	writeJSON(w, http.StatusOK, p.discovery(as, app))
}
