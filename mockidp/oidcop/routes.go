package oidcop

import "net/http"

// Paths of the org authorization server, relative to the issuer. A custom
// server serves the same /v1 endpoints under /oauth2/{id}/v1/.
const (
	PathDiscovery  = "/.well-known/openid-configuration"
	PathASMetadata = "/.well-known/oauth-authorization-server"
	PathAuthorize  = "/oauth2/v1/authorize"
	PathToken      = "/oauth2/v1/token"
	PathKeys       = "/oauth2/v1/keys"
	PathUserinfo   = "/oauth2/v1/userinfo"
	PathIntrospect = "/oauth2/v1/introspect"
	PathRevoke     = "/oauth2/v1/revoke"
	PathLogout     = "/oauth2/v1/logout"
	PathClients    = "/oauth2/v1/clients"
	PathSignIn     = "/login/signin"
	PathMFA        = "/login/mfa"
)

// Mount registers the provider's routes on mux: the org authorization
// server's, and the custom servers' under /oauth2/{as}/.
func (p *Provider) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathDiscovery, p.withServer(p.handleDiscovery))
	mux.HandleFunc("POST "+PathSignIn, p.handleSignIn)
	mux.HandleFunc("POST "+PathMFA, p.handleMFA)
	mux.HandleFunc("GET /oauth2/{as}"+PathDiscovery, p.withServer(p.handleDiscovery))
	mux.HandleFunc("GET /oauth2/{as}"+PathASMetadata, p.withServer(p.handleDiscovery))
	for _, prefix := range []string{"/oauth2/v1", "/oauth2/{as}/v1"} {
		mux.HandleFunc("GET "+prefix+"/authorize", p.withServer(p.handleAuthorize))
		mux.HandleFunc("POST "+prefix+"/token", p.withServer(p.handleToken))
		mux.HandleFunc("GET "+prefix+"/keys", p.withServer(p.handleKeys))
		mux.HandleFunc("GET "+prefix+"/userinfo", p.withServer(p.handleUserinfo))
		mux.HandleFunc("POST "+prefix+"/userinfo", p.withServer(p.handleUserinfo))
		mux.HandleFunc("POST "+prefix+"/introspect", p.withServer(p.handleIntrospect))
		mux.HandleFunc("POST "+prefix+"/revoke", p.withServer(p.handleRevoke))
		mux.HandleFunc("GET "+prefix+"/logout", p.withServer(p.handleLogout))
		mux.HandleFunc("POST "+prefix+"/logout", p.withServer(p.handleLogout))
	}
}
