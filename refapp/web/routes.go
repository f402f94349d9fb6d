package web

import "net/http"

// Mount registers the pages on mux. POST routes go through cross-origin protection.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /login", h.loginPage)
	mux.Handle("POST /login", h.csrf.Handler(http.HandlerFunc(h.login)))
	mux.Handle("POST /logout", h.csrf.Handler(http.HandlerFunc(h.logout)))
	mux.HandleFunc("GET /sso", h.ssoPage)
	mux.Handle("POST /sso", h.csrf.Handler(http.HandlerFunc(h.ssoContinue)))
	mux.HandleFunc("GET /sso/oidc/callback", h.ssoCallback)
	mux.HandleFunc("GET /sso/{org}", h.ssoOrgPage)
	mux.HandleFunc("GET /sso/{org}/start", h.ssoStart)
	mux.HandleFunc("GET /sso/saml/metadata", h.samlMetadata)
	mux.HandleFunc("POST /sso/saml/acs", h.samlACS) // cross-site POST from the IdP: no CrossOriginProtection
	mux.HandleFunc("GET /sso/saml/finish", h.samlFinish)
	mux.HandleFunc("POST /sso/saml/slo", h.samlSLO) // cross-site POST from the IdP, like the ACS
	mux.HandleFunc("GET /sso/saml/slo", h.samlSLO)
	mux.HandleFunc("GET /account/link/{token}", h.linkPage)
	mux.HandleFunc("GET /account/link/{token}/start", h.linkStart)
	mux.HandleFunc("GET /api/v1/me", h.me)
	mux.Handle("GET /static/", staticFS())
}
