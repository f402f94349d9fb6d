package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PreflightError says a SCIM target cannot be tested at all, in one plain sentence that names the fix.
// It is a misconfiguration (wrong URL, refused token, server down), not a conformance result.
type PreflightError struct {
	// Sentence is what to tell the user: what happened and what to check.
	Sentence string
	// Exchange is the preflight request and its answer, credentials redacted (empty Status when no
	// answer came).
	Exchange Exchange
}

func (e *PreflightError) Error() string { return e.Sentence }

// preflightPath is what Okta's "Test API Credentials" button sends.
const preflightPath = "/Users?startIndex=1&count=1"

// Preflight sends the one request Okta sends to test a SCIM connection, GET {base}/Users?startIndex=1&count=1,
// and returns a *PreflightError when the answer shows the target cannot be tested: unreachable, a TLS
// failure, the token refused (401/403), no SCIM endpoint there (404), or an answer that is not a SCIM
// ListResponse. It returns nil when the answer is a JSON ListResponse; the specs judge the rest.
func (t SCIMTarget) Preflight(ctx context.Context) error {
	r, err := t.Send(ctx, SCIMRequest{Method: http.MethodGet, Path: preflightPath})
	where := t.BaseURL + "/Users"
	if err != nil {
		return &PreflightError{Sentence: unreachableSentence(where, err), Exchange: r.Exchange}
	}
	fail := func(format string, args ...any) error {
		return &PreflightError{Sentence: fmt.Sprintf(format, args...), Exchange: r.Exchange}
	}
	switch {
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		return fail("GET %s answered %d%s: the server refused the token; check the token file (and --auth-scheme), and that SCIM provisioning is switched on for this organization in the app's settings.", where, r.Status, t.serverSaid(r))
	case r.Status == http.StatusNotFound:
		hint := "check the --url: it is the SCIM base, which usually ends in /scim/v2"
		if strings.HasSuffix(strings.TrimSuffix(t.BaseURL, "/"), "/v2") {
			hint = "check the --url: it is the SCIM base under which /Users is served"
		}
		return fail("GET %s answered 404: there is no SCIM endpoint there; %s.", where, hint)
	case r.Status >= 300:
		return fail("GET %s answered %d to Okta's connection test (the same request as Okta's \"Test API Credentials\"); fix that answer before running the specs.", where, r.Status)
	case r.JSON == nil || !isListResponse(r.JSON):
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "no Content-Type"
		}
		return fail("GET %s answered %d with %s but not a SCIM ListResponse: check that the --url is the SCIM base (usually ending in /scim/v2), not the app's web page.", where, r.Status, ct)
	}
	return nil
}

// serverSaid quotes the error's detail, when the answer has one, without the credential: servers often
// say why they refused ("SCIM needs SSO set up").
func (t SCIMTarget) serverSaid(r SCIMResponse) string {
	detail, _ := r.JSON["detail"].(string)
	detail = strings.TrimSpace(detail)
	if detail == "" {
		return ""
	}
	if tok := strings.TrimSpace(strings.TrimPrefix(t.Authorization, "Bearer")); tok != "" {
		detail = strings.ReplaceAll(detail, tok, "[redacted]")
	}
	if len(detail) > 200 {
		detail = detail[:200] + "..."
	}
	return fmt.Sprintf(" (%q)", strings.TrimSuffix(detail, "."))
}

// isListResponse is a loose check: the ListResponse schema URN or a totalResults member. The specs
// judge the details (integer counts, itemsPerPage).
func isListResponse(doc map[string]any) bool {
	if _, ok := doc["totalResults"]; ok {
		return true
	}
	schemas, _ := doc["schemas"].([]any)
	for _, s := range schemas {
		if s == "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			return true
		}
	}
	return false
}

// unreachableSentence explains a request that got no HTTP answer.
func unreachableSentence(where string, err error) string {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verifyErr  *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		urlErr     *url.Error
		timeoutErr interface{ Timeout() bool }
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verifyErr):
		return fmt.Sprintf("GET %s failed: the server's TLS certificate is not trusted (%s); use a certificate this machine trusts, or check the host name in --url.", where, rootCause(err))
	case errors.As(err, &recordErr):
		return fmt.Sprintf("GET %s failed: the server does not speak TLS on that port; use http:// in --url, or the server's HTTPS port.", where)
	case errors.As(err, &timeoutErr) && timeoutErr.Timeout():
		return fmt.Sprintf("GET %s got no answer in time: check that the server is running and reachable from this machine.", where)
	case errors.As(err, &urlErr):
		return fmt.Sprintf("GET %s failed: cannot reach the server (%s); check that it is running and that --url is right.", where, rootCause(err))
	}
	return fmt.Sprintf("GET %s failed (%s); check that the server is running and that --url is right.", where, rootCause(err))
}

// rootCause is the innermost error's text, without the request line every wrapper repeats.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
