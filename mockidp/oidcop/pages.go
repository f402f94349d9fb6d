package oidcop

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
)

//go:embed pages/*.html
var pageFS embed.FS

var pages = template.Must(template.ParseFS(pageFS, "pages/*.html"))

// loginPage is the classic Okta sign-in widget: input#okta-signin-username,
// input#okta-signin-password, input#okta-signin-submit ("Sign In"); a failed
// attempt shows "Unable to sign in" in div.o-form-error-container.
type loginPage struct {
	OrgName, Action, FromURI, Username, Error string
}

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
	case loginPage:
		name = "login.html"
	case errorPage:
		name = "error.html"
	case formPostPage:
		name = "formpost.html"
	case signedOutPage:
		name = "signedout.html"
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		p.cfg.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
