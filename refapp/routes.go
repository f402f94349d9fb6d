package refapp

import (
	"net/http"

	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/web"
)

// routes is the app's route table:
//
//	GET  /healthz                      liveness: 200 "ok"
//	GET  /                             home (signed in) or 303 /login
//	GET  /login, POST /login           password login
//	POST /logout                       end the session (and, after a SAML sign-in, Okta's: single logout)
//	GET  /sso, POST /sso               organization name -> 303 /sso/{org}
//	GET  /sso/{org}                    "Sign in with Okta"
//	GET  /sso/{org}/start              302 to Okta (OIDC: code flow, state, nonce, PKCE S256; SAML: AuthnRequest)
//	GET  /sso/oidc/callback            the redirect URI
//	GET  /sso/saml/metadata            SP metadata; its URL is the SP entity ID
//	POST /sso/saml/acs                 SAML ACS (HTTP-POST), 303 to /sso/saml/finish
//	GET  /sso/saml/finish              completes a SAML sign-in in the starting browser
//	POST|GET /sso/saml/slo             SAML Single Logout URL: the IdP's LogoutResponse after sign-out
//	GET  /account/link/{token}         account linking: confirm; .../start uses it and goes to Okta
//	/settings/...                      organization settings for admins (see orgsettings)
//	GET  /api/v1/me                    the signed-in member as JSON
//	GET  /static/...                   CSS
//	/scim/v2/...                       SCIM 2.0 (see scimserver)
//
// Browser POST routes are wrapped in http.CrossOriginProtection by web.Mount.
func (a *App) routes(pages *web.Handler, scim *scimserver.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	pages.Mount(mux)
	a.settings.Mount(mux)
	scim.Mount(mux)
	return a.logged(secured(mux))
}
