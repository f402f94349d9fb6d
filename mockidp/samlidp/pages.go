package samlidp

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed pages/*.html
var pageFS embed.FS

var pages = template.Must(template.ParseFS(pageFS, "pages/*.html"))

// loginPage is the classic Okta sign-in widget: input#okta-signin-username, input#okta-signin-password,
// input#okta-signin-submit ("Sign In"); a failed attempt shows "Unable to sign in". The AuthnRequest and
// RelayState ride in hidden fields.
type loginPage struct {
	OrgName, Action, SAMLRequest, RelayState, Username, Error string
}

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
	case loginPage:
		name = "login.html"
	case errorPage:
		name = "error.html"
	case postPage:
		name = "post.html"
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		p.cfg.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
