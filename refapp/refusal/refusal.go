// Package refusal is the one error type for a refused sign-in, shared by the OIDC relying party, the
// SAML service provider and the web layer's sign-in rules: Message is what the user reads on the
// "Sign-in failed" page and the audit log records, Cause what only the server log sees, Status the HTTP
// status of the page.
//
//	return refusal.New(http.StatusBadGateway, err, "Okta refused the app's client credentials (%s)", code)
//	var re *refusal.Error
//	if errors.As(err, &re) { render(re.Status, re.Message) }
package refusal

import "fmt"

// Error is a refused sign-in.
type Error struct {
	Status  int
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Message + ": " + e.Cause.Error()
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns a refusal with the status, the private cause (may be nil) and the public message.
func New(status int, cause error, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...), Cause: cause}
}
