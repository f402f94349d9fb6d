package specs

import . "github.com/onsi/ginkgo/v2"

// The one registry of labels; select with e.g. --label-filter='Protocol:OIDC && !Browser'.
var (
	ProtocolOIDC = Label("Protocol:OIDC")
	ProtocolSAML = Label("Protocol:SAML")
	ProtocolSCIM = Label("Protocol:SCIM")

	KindPositive   = Label("Kind:Positive")
	KindNegative   = Label("Kind:Negative")
	KindSecurity   = Label("Kind:Security")
	KindRobustness = Label("Kind:Robustness")

	// Browser marks specs that drive Chromium.
	Browser = Label("Browser")
)
