// Package redact hides credentials in text bound for logs and reports: the values of credential-bearing
// URL parameters (codes, tokens, SAML messages, secrets).
//
//	log.Info("landed", "url", redact.URL(page.URL()))
package redact

import (
	"net/url"
	"strings"
)

// secretParams are query and fragment parameters that carry credentials in SSO redirects and token
// calls; reports never show their values.
var secretParams = []string{"code", "state", "id_token", "access_token", "refresh_token", "token",
	"client_secret", "client_assertion", "samlresponse", "samlrequest", "sessiontoken", "password"}

// URL returns u with the values of credential-bearing query and fragment parameters replaced by
// "REDACTED", for reports and failure messages. Unparseable input is returned as a placeholder.
func URL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	parsed.RawQuery = redactValues(parsed.RawQuery)
	if strings.Contains(parsed.Fragment, "=") {
		parsed.RawFragment = redactValues(parsed.EscapedFragment())
		parsed.Fragment, _ = url.PathUnescape(parsed.RawFragment)
	}
	return parsed.String()
}

func redactValues(raw string) string {
	if raw == "" {
		return raw
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "REDACTED"
	}
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q[k] = []string{"REDACTED"}
			}
		}
	}
	return q.Encode()
}
