package syslog

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Exchange is one HTTP request and its response kept with an event (the SCIM requests of a push), so the
// console can show what was sent and answered. Append redacts it before it is stored: credentials in
// headers, and token, secret, password and assertion values in bodies, never reach the log.
type Exchange struct {
	Time           time.Time
	Method, URL    string
	RequestHeader  http.Header
	RequestBody    string
	Status         int // 0 when no response arrived
	ResponseHeader http.Header
	ResponseBody   string
	Duration       time.Duration
	Err            string
}

// Redacted replaces secret values, and MaxExchangeBody bounds each stored body.
const (
	Redacted        = "[REDACTED]"
	MaxExchangeBody = 64 << 10
)

// credentialHeaders carry a secret in full; Authorization keeps its scheme so a reader sees which one
// was used.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

var (
	// secretJSON is a JSON string member whose name says it holds a secret.
	secretJSON = regexp.MustCompile(`(?i)("[a-z_]*(?:token|secret|password|assertion|samlresponse)[a-z_]*"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	// secretForm is a form or query parameter whose name says it holds a secret.
	secretForm = regexp.MustCompile(`(?i)(^|[?&\s])([a-z_]*(?:token|secret|password|assertion|samlresponse)[a-z_]*=)[^&\s"]+`)
	// schemeCredential is a credential written after its scheme anywhere in a body or header.
	schemeCredential = regexp.MustCompile(`(?i)\b(Bearer|SSWS|Basic)\s+[A-Za-z0-9._~+/=-]{4,}`)
)

// redactExchange returns a copy of x with secrets replaced by Redacted and bodies cut to MaxExchangeBody.
func redactExchange(x Exchange) Exchange {
	x.RequestHeader = redactHeader(x.RequestHeader)
	x.ResponseHeader = redactHeader(x.ResponseHeader)
	x.RequestBody = RedactText(cut(x.RequestBody))
	x.ResponseBody = RedactText(cut(x.ResponseBody))
	x.URL = RedactText(x.URL)
	x.Err = RedactText(x.Err)
	return x
}

func redactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for _, name := range credentialHeaders {
		vs := out.Values(name)
		for i, v := range vs {
			scheme, _, found := strings.Cut(strings.TrimSpace(v), " ")
			if name == "Authorization" || name == "Proxy-Authorization" {
				if found {
					vs[i] = scheme + " " + Redacted
					continue
				}
			}
			vs[i] = Redacted
		}
	}
	for name, vs := range out {
		for i, v := range vs {
			vs[i] = RedactText(v)
		}
		out[name] = vs
	}
	return out
}

// RedactText replaces secret values in free text: JSON members and form parameters named for a token,
// secret, password or assertion, and credentials following Bearer, SSWS or Basic.
func RedactText(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	s = secretJSON.ReplaceAllString(s, `$1"`+Redacted+`"`)
	s = secretForm.ReplaceAllString(s, `$1$2`+Redacted)
	return schemeCredential.ReplaceAllString(s, `$1 `+Redacted)
}

// secretHints are words one of which every pattern RedactText replaces contains.
var secretHints = []string{"token", "secret", "password", "assertion", "samlresponse", "bearer", "ssws", "basic"}

// mayHoldSecret is RedactText's cheap first look, so that most bodies and headers skip the patterns.
func mayHoldSecret(s string) bool {
	lower := strings.ToLower(s)
	for _, h := range secretHints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

func cut(s string) string {
	if len(s) <= MaxExchangeBody {
		return s
	}
	return strings.ToValidUTF8(s[:MaxExchangeBody], "") + "\n[cut at 64 KiB]"
}
