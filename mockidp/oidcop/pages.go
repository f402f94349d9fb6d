package oidcop

import (
	"embed"
	"net/http"
	"net/url"

	"github.com/ssoconform/ssoconform/mockidp/oktaui"
)

//go:embed pages/*.html
var pageFS embed.FS

// pages are the shared sign-in page (oktaui) and the provider's own.
var pages = oktaui.MustParse(pageFS, "pages/*.html")

// errorPage is Okta's error page: the status, p#error-code (the OAuth error
// code) and p#error-description (Okta's description).
type errorPage struct {
	OrgName, StatusText, Code, Description string
	Status                                 int
}

// signedOutPage is shown by /logout without a post_logout_redirect_uri.
type signedOutPage struct{ OrgName string }

// formPostPage auto-submits an authorization response (response_mode=form_post).
type formPostPage struct {
	Action string
	Params url.Values
}

func (p *Provider) renderPage(w http.ResponseWriter, status int, data any) {
	var name string
	switch data.(type) {
	case oktaui.Login:
		name = oktaui.LoginTemplate
	case oktaui.MFA:
		name = oktaui.MFATemplate
	case errorPage:
		name = "error.html"
	case formPostPage:
		name = "formpost.html"
	case signedOutPage:
		name = "signedout.html"
	}
	pages.Render(w, p.cfg.Logger, status, name, data)
}
