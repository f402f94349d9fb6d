package samlidp

import (
	"embed"
	"net/http"

	"github.com/ssoconform/ssoconform/mockidp/oktaui"
)

//go:embed pages/*.html
var pageFS embed.FS

// pages are the shared sign-in page (oktaui) and the IdP's own.
var pages = oktaui.MustParse(pageFS, "pages/*.html")

// errorPage is Okta's error page: h2 "{Status} {Title}" and p#error-description.
type errorPage struct {
	OrgName, Title, Message string
	Status                  int
}

// postPage auto-submits a SAMLResponse to the ACS; without JavaScript a Continue button does it.
type postPage struct {
	Action, SAMLResponse, RelayState string
}

func (p *IdP) renderPage(w http.ResponseWriter, status int, data any) {
	var name string
	switch data.(type) {
	case oktaui.Login:
		name = oktaui.LoginTemplate
	case oktaui.MFA:
		name = oktaui.MFATemplate
	case errorPage:
		name = "error.html"
	case postPage:
		name = "post.html"
	}
	pages.Render(w, p.cfg.Logger, status, name, data)
}
