// Package oktaui is the look the mock's browser pages share with Okta's: the classic sign-in widget
// (input#okta-signin-username, input#okta-signin-password, input#okta-signin-submit "Sign In", and
// "Unable to sign in" in div.o-form-error-container on failure) and its style sheet. The OpenID provider
// and the SAML IdP each add their own pages (error pages, auto-submit forms) and render everything
// through one Pages value.
//
//	pages := oktaui.MustParse(ownFS, "pages/*.html") // own templates may use {{template "style"}}
//	pages.Render(w, logger, http.StatusOK, oktaui.LoginTemplate, oktaui.Login{OrgName: "acme",
//		Action: "/acme/login/signin", Hidden: []oktaui.Field{{Name: "fromURI", Value: u}}})
package oktaui

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
)

//go:embed templates/*.html
var shared embed.FS

// LoginTemplate is the name of the sign-in page template.
const LoginTemplate = "login.html"

// Login is the data of the sign-in page: the org's name, where the form posts, the hidden fields that
// carry the pending request (an /authorize query, an AuthnRequest), the username to pre-fill and the
// error to show.
type Login struct {
	OrgName, Action, Username, Error string
	Hidden                           []Field
}

// MFATemplate is the name of the second-factor page (Okta's Google Authenticator challenge: input
// #okta-mfa-answer named "answer", submit #okta-mfa-verify "Verify").
const MFATemplate = "mfa.html"

// MFA is the data of the second-factor page: the org's name, where the form posts, the hidden fields that
// carry the pending request and the error to show.
type MFA struct {
	OrgName, Action, Error string
	Hidden                 []Field
}

// Field is one hidden form field.
type Field struct{ Name, Value string }

// Pages is a set of parsed page templates: the shared ones plus a protocol's own.
type Pages struct{ t *template.Template }

// MustParse parses the shared templates and those of own matching pattern; it panics on a template
// error, which is a programming error caught by any test that loads the package.
func MustParse(own fs.FS, pattern string) *Pages {
	t := template.Must(template.ParseFS(shared, "templates/*.html"))
	return &Pages{t: template.Must(t.ParseFS(own, pattern))}
}

// Render writes the named page with status, as HTML that may not be framed or cached.
func (p *Pages) Render(w http.ResponseWriter, logger *slog.Logger, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, name, data); err != nil {
		logger.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
