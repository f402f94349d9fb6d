package samlidp

import (
	"fmt"
	"net/http"
)

// Error is a refusal the IdP shows on Okta's error page instead of answering the service provider.
// Status, Title and Message are the public text; Cause is private and only logged.
type Error struct {
	Status         int
	Title, Message string
	Cause          error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Title, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Title)
}

func (e *Error) Unwrap() error { return e.Cause }

// withCause returns a copy of e carrying a private cause.
func (e *Error) withCause(err error) *Error {
	c := *e
	c.Cause = err
	return &c
}

// The refusals of the SSO endpoint. Okta never sends a SAML error Response for these: the browser stays
// on an Okta page (mock-idp.md 1.11).
var (
	errAppNotFound      = &Error{Status: http.StatusNotFound, Title: "Page Not Found", Message: "The page you are looking for can't be found. Please check the URL and try again."}
	errMalformedRequest = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "The SAML request could not be read: it is not a valid AuthnRequest."}
	errUnknownIssuer    = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "The SAML request's Issuer does not match the Audience URI (SP Entity ID) of this app."}
	errACSNotAllowed    = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "The AssertionConsumerServiceURL of the SAML request is not the Single sign-on URL or a requestable SSO URL of this app."}
	errInternal         = &Error{Status: http.StatusInternalServerError, Title: "Internal Server Error", Message: "The request could not be completed."}
)

// errNotAssigned is Okta's "403 App Not Assigned" page for app label.
func errNotAssigned(label string) *Error {
	return &Error{Status: http.StatusForbidden, Title: "App Not Assigned",
		Message: "Sorry, you cannot access " + label + " because you are not assigned this app in Okta. " +
			"If you're wondering why this is happening, please contact your administrator."}
}

// writeError is the one place refusals become pages.
func (p *IdP) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	p.cfg.Logger.InfoContext(r.Context(), "saml sso refused", "status", e.Status, "title", e.Title, "err", e.Error())
	p.renderPage(w, e.Status, errorPage{OrgName: p.cfg.OrgName, Status: e.Status, Title: e.Title, Message: e.Message})
}

// fail maps an unexpected error to the internal error page.
func (p *IdP) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.writeError(w, r, errInternal.withCause(err))
}
