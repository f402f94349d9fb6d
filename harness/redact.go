package harness

import "github.com/ssoconform/ssoconform/internal/redact"

// RedactURL returns u with the values of credential-bearing parameters (code, state, tokens, SAML
// messages, secrets) replaced, for reports and failure messages.
func RedactURL(u string) string { return redact.URL(u) }
