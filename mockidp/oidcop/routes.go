package oidcop

import "net/http"

// Paths of the org authorization server, relative to the issuer.
const (
	PathDiscovery = "/.well-known/openid-configuration"
	PathAuthorize = "/oauth2/v1/authorize"
	PathToken     = "/oauth2/v1/token"
	PathKeys      = "/oauth2/v1/keys"
	PathUserinfo  = "/oauth2/v1/userinfo"
	PathSignIn    = "/login/signin"
)

// Mount registers the provider's routes on mux.
func (p *Provider) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathDiscovery, p.handleDiscovery)
	mux.HandleFunc("GET "+PathAuthorize, p.handleAuthorize)
	mux.HandleFunc("POST "+PathSignIn, p.handleSignIn)
	mux.HandleFunc("POST "+PathToken, p.handleToken)
	mux.HandleFunc("GET "+PathKeys, p.handleKeys)
	mux.HandleFunc("GET "+PathUserinfo, p.handleUserinfo)
	mux.HandleFunc("POST "+PathUserinfo, p.handleUserinfo)
}
