package samlidp

import "net/http"

// Paths of the IdP, relative to the org base URL.
const (
	PathMetadata = "/app/{exk}/sso/saml/metadata"
	PathSSO      = "/app/{app}/{exk}/sso/saml"
	PathSignIn   = "/app/{app}/{exk}/sso/saml/signin"
	PathProbe    = "/app/{exk}/sso/saml/probe"
	PathSLO      = "/app/{app}/{exk}/slo/saml"
	PathMFA      = "/app/{app}/{exk}/sso/saml/mfa"
)

// Mount registers the IdP's routes on mux.
func (p *IdP) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathMetadata, p.handleMetadata)
	mux.HandleFunc("GET "+PathSSO, p.handleSSO)
	mux.HandleFunc("POST "+PathSSO, p.handleSSO)
	mux.HandleFunc("POST "+PathSignIn, p.handleSignIn)
	mux.HandleFunc("GET "+PathProbe, p.handleProbe)
	mux.HandleFunc("POST "+PathMFA, p.handleMFA)
	mux.HandleFunc("GET "+PathSLO, p.handleSLO)
	mux.HandleFunc("POST "+PathSLO, p.handleSLO)
}
