package directory

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The one check of an app's URL settings. Every way of setting them (CreateOIDCApp, CreateSAMLApp,
// SetRedirectURIs, UpdateApp; so the Go API, the fixture loader, the management API and the console)
// goes through checkAppURLs, and a refusal is a FieldErrors naming each bad field as Okta's Apps API
// names it, with one sentence per field that every surface shows as it is.
//
// The rules: redirect URIs, sign-out redirect URIs and the SAML single sign-on URL (and its Recipient,
// Destination and other requestable SSO URLs) must be absolute http(s) URLs with a host and no fragment
// (RFC 6749 3.1.2 for redirect URIs; Okta's wizard refuses the same for the ACS URL). The audience
// ("Audience URI (SP Entity ID)") may be any absolute URI, a urn: included, as Okta accepts. An OIDC
// app needs at least one sign-in redirect URI. Where this is stricter than Okta: Okta also lets native
// apps register custom-scheme redirect URIs (com.example.app:/cb); the mock models web apps only.

// App settings fields, named as in Okta's Apps API (settings.oauthClient and settings.signOn).
const (
	FieldRedirectURIs   = "redirect_uris"
	FieldPostLogoutURIs = "post_logout_redirect_uris"
	FieldSSOURL         = "ssoAcsUrl"
	FieldRecipient      = "recipient"
	FieldDestination    = "destination"
	FieldAudience       = "audience"
	FieldACSEndpoints   = "acsEndpoints"
)

// FieldError is one refused app setting: the field and a sentence saying what is wrong with it.
type FieldError struct {
	Field, Sentence string
}

// FieldErrors are the refused settings of one change, at most one per field. It wraps ErrInvalid.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Sentence
	}
	return strings.Join(parts, "; ")
}

func (e FieldErrors) Unwrap() error { return ErrInvalid }

// Sentence returns the sentence for field, or "" when the field was not refused.
func (e FieldErrors) Sentence(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Sentence
		}
	}
	return ""
}

// checkAppURLs checks the URL settings of a that differ from old (every one when old is nil) and
// returns FieldErrors, or nil when all are acceptable.
func checkAppURLs(a, old *App) error {
	var errs FieldErrors
	add := func(field, sentence string) {
		if sentence != "" {
			errs = append(errs, FieldError{Field: field, Sentence: sentence})
		}
	}
	changed := func(get func(*App) []string) bool { return old == nil || !slices.Equal(get(a), get(old)) }
	if a.SignOnMode == SignOnModeOIDC {
		if changed(func(x *App) []string { return x.RedirectURIs }) {
			add(FieldRedirectURIs, redirectURIsProblem(a.RedirectURIs, true))
		}
		if changed(func(x *App) []string { return x.PostLogoutRedirectURIs }) {
			add(FieldPostLogoutURIs, redirectURIsProblem(a.PostLogoutRedirectURIs, false))
		}
	}
	if a.SAML != nil {
		saml := func(get func(*SAMLSettings) string) func(*App) []string {
			return func(x *App) []string {
				if x.SAML == nil {
					return nil
				}
				return []string{get(x.SAML)}
			}
		}
		if changed(saml(func(s *SAMLSettings) string { return s.SSOURL })) {
			add(FieldSSOURL, httpURLProblem(a.SAML.SSOURL))
		}
		if changed(saml(func(s *SAMLSettings) string { return s.Recipient })) {
			add(FieldRecipient, httpURLProblem(a.SAML.Recipient))
		}
		if changed(saml(func(s *SAMLSettings) string { return s.Destination })) {
			add(FieldDestination, httpURLProblem(a.SAML.Destination))
		}
		if changed(saml(func(s *SAMLSettings) string { return s.Audience })) {
			add(FieldAudience, audienceProblem(a.SAML.Audience))
		}
		if changed(requestable) {
			add(FieldACSEndpoints, redirectURIsProblem(a.SAML.RequestableSSOURLs, false))
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

func requestable(a *App) []string {
	if a.SAML == nil {
		return nil
	}
	return a.SAML.RequestableSSOURLs
}

// redirectURIsProblem checks a list of URLs; required says at least one is needed.
func redirectURIsProblem(uris []string, required bool) string {
	if required && len(uris) == 0 {
		return "At least one sign-in redirect URI is required."
	}
	for _, u := range uris {
		if p := httpURLProblem(u); p != "" {
			return p
		}
	}
	return ""
}

// httpURLProblem says what keeps s from being an absolute http(s) URL with a host and no fragment.
func httpURLProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "A URL is required."
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || s != strings.TrimSpace(s):
		return strconv.Quote(s) + " is not an absolute http(s) URL."
	case strings.Contains(s, "#"):
		return strconv.Quote(s) + " has a fragment (#...), which a redirect or single sign-on URL must not have."
	}
	return ""
}

// audienceProblem says what keeps s from being an absolute URI.
func audienceProblem(s string) string {
	u, err := url.Parse(s)
	if s == "" || err != nil || u.Scheme == "" || u.Opaque == "" && u.Host == "" || s != strings.TrimSpace(s) {
		return strconv.Quote(s) + " is not an absolute URI (for example https://app.example.com/saml or urn:example:app)."
	}
	return ""
}
