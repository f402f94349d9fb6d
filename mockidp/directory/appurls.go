package directory

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The one check of an app's URL settings (and of a SAML app's signature certificate and NameID format). Every way of setting them (CreateOIDCApp, CreateSAMLApp,
// SetRedirectURIs, UpdateApp; so the Go API, the fixture loader, the management API and the console)
// goes through checkAppURLs, and a refusal is a FieldErrors naming each bad field as Okta's Apps API
// names it, with one sentence per field that every surface shows as it is.
//
// The rules: redirect URIs, sign-out redirect URIs and the SAML single sign-on URL (and its Recipient,
// Destination, other requestable SSO URLs and, when set, Single Logout URL) must be absolute http(s) URLs with a host and no fragment
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
	FieldSPCertificate  = "spCertificate"
	FieldNameIDFormat   = "subjectNameIdFormat"
	FieldSLOURL         = "slo.logoutUrl"
)

// FieldError is one refused app setting: the field and a sentence saying what is wrong with it.
type FieldError struct {
	Field, Sentence string
}

// FieldErrors are the refused settings of one change, at most one per field. It wraps ErrInvalid.
type FieldErrors []FieldError

// String is the refusal as "field: sentence".
func (f FieldError) String() string { return f.Field + ": " + f.Sentence }

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.String()
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

// checkAppURLs checks the URL settings of a that differ from old (every one when old is nil), and a
// SAML app's signature certificate, and returns FieldErrors, or nil when all are acceptable.
func checkAppURLs(a, old *App) error {
	var was App
	if old != nil {
		was = *old
	}
	var checks []settingCheck
	if a.SignOnMode == SignOnModeOIDC {
		checks = append(checks,
			check(FieldRedirectURIs, a.RedirectURIs, was.RedirectURIs, func(v []string) string { return redirectURIsProblem(v, true) }),
			check(FieldPostLogoutURIs, a.PostLogoutRedirectURIs, was.PostLogoutRedirectURIs, func(v []string) string { return redirectURIsProblem(v, false) }))
	}
	if s := a.SAML; s != nil {
		w := SAMLSettings{}
		if was.SAML != nil {
			w = *was.SAML
		}
		checks = append(checks,
			check(FieldSSOURL, []string{s.SSOURL}, []string{w.SSOURL}, first(httpURLProblem)),
			check(FieldRecipient, []string{s.Recipient}, []string{w.Recipient}, first(httpURLProblem)),
			check(FieldDestination, []string{s.Destination}, []string{w.Destination}, first(httpURLProblem)),
			check(FieldAudience, []string{s.Audience}, []string{w.Audience}, first(audienceProblem)),
			check(FieldACSEndpoints, s.RequestableSSOURLs, w.RequestableSSOURLs, func(v []string) string { return redirectURIsProblem(v, false) }),
			check(FieldSPCertificate, []string{s.SPCertificate}, []string{w.SPCertificate}, first(certificateProblem)),
			check(FieldNameIDFormat, []string{s.NameIDFormat}, []string{w.NameIDFormat}, first(optional(nameIDFormatProblem))),
			check(FieldSLOURL, []string{s.SLOURL}, []string{w.SLOURL}, first(optional(httpURLProblem))))
	}
	var errs FieldErrors
	for _, c := range checks {
		if old != nil && slices.Equal(c.now, c.then) {
			continue // unchanged: an old state file's odd value does not block editing the others
		}
		if p := c.problemFor(c.now); p != "" {
			errs = append(errs, FieldError{Field: c.field, Sentence: p})
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

// settingCheck is one setting's value now and before, and what says its problem.
type settingCheck struct {
	field      string
	now, then  []string
	problemFor func([]string) string
}

func check(field string, now, then []string, problemFor func([]string) string) settingCheck {
	return settingCheck{field, now, then, problemFor}
}

// optional lets a setting be empty (the feature it enables is off) and checks it otherwise.
func optional(problem func(string) string) func(string) string {
	return func(s string) string {
		if s == "" {
			return ""
		}
		return problem(s)
	}
}

// first applies a single value's check to the one value of a setting.
func first(problem func(string) string) func([]string) string {
	return func(v []string) string { return problem(v[0]) }
}

// certificateProblem says what keeps s from being the one PEM certificate Okta takes as a signature
// certificate; none is fine (single logout is then refused, as nothing can be verified).
func certificateProblem(s string) string {
	if s == "" {
		return ""
	}
	if _, err := ParsePEMCertificate(s); err != nil {
		return "The signature certificate is not one PEM-encoded X.509 certificate (" + err.Error() + ")."
	}
	return ""
}

// nameIDFormatProblem says why s is not one of Okta's NameID formats.
func nameIDFormatProblem(s string) string {
	if slices.ContainsFunc(NameIDFormats, func(f NameIDFormat) bool { return f.URN == s }) {
		return ""
	}
	return strconv.Quote(s) + " is not a NameID format Okta offers (unspecified, emailAddress, x509SubjectName, persistent or transient)."
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
