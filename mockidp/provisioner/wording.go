package provisioner

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/scimpush"
)

// opError is a failed operation: what Okta was doing ("creating user alice@acme.test"), on what ("user
// alice@acme.test"), in which app, and why.
type opError struct {
	action, subject, app string
	err                  error
}

func (e *opError) Error() string {
	return e.subject + " in app " + e.app + ": error while " + e.action + ": " + e.err.Error()
}
func (e *opError) Unwrap() error { return e.err }

// oktaMessage words a task failure as Okta's task list does (okta-scim.md a.2, a.6, O-TS): "Automatic
// provisioning of ... failed: Error while <action>: <reason>", where the reason quotes the SCIM server's
// error detail after "Errors reported by remote server:", or says what was wrong with the answer.
func oktaMessage(err error) string {
	oe, ok := errors.AsType[*opError](err)
	if !ok {
		return "Automatic provisioning failed: " + reason(err)
	}
	return "Automatic provisioning of " + oe.subject + " to app " + oe.app + " failed: Error while " +
		oe.action + ": " + reason(err)
}

// reason is the part of Okta's message that explains the failure.
func reason(err error) string {
	pe, ok := errors.AsType[*scimpush.PushError](err)
	if !ok {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, scimpush.ErrRateLimited):
		return "Rate limit exceeded: the app answered 429 Too Many Requests on every attempt; retry the task later."
	case pe.Status == 0:
		if isTimeout(pe.Err) {
			return "Read timed out (no answer within 60 seconds)."
		}
		return "Could not connect to the app: " + unwrapText(pe.Err)
	case pe.Status >= 200 && pe.Status < 300:
		if pe.Method == http.MethodPost && (strings.TrimSpace(pe.Body) == "" || strings.TrimSpace(pe.Body) == "{}") {
			return "Create new user returned empty user."
		}
		if !json.Valid([]byte(pe.Body)) {
			return "Invalid JSON: " + firstToken(pe.Body)
		}
		return unwrapText(pe.Err) + "."
	}
	text := http.StatusText(pe.Status)
	if text == "" {
		text = "HTTP " + strconv.Itoa(pe.Status)
	}
	if pe.Status == http.StatusNotFound && strings.Contains(pe.URL, "/Users/") {
		text = "Matching user not found"
	}
	if detail, ok := scimDetail(pe.Body); ok {
		return text + ". Errors reported by remote server: " + detail
	}
	if strings.TrimSpace(pe.Body) == "" {
		return text + "."
	}
	return text + ". Invalid JSON: " + firstToken(pe.Body)
}

// scimDetail reads the detail of a SCIM error body.
func scimDetail(body string) (string, bool) {
	var e struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Detail == "" {
		return "", false
	}
	return e.Detail, true
}

// firstToken is how Okta's JSON parser complains about a body that is not JSON: the first word.
func firstToken(body string) string {
	f := strings.Fields(body)
	if len(f) == 0 {
		return "empty body"
	}
	tok := f[0]
	if len(tok) > 40 {
		tok = tok[:40]
	}
	return "Unrecognized token '" + tok + "'"
}

func unwrapText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
