package specs

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/ssoconform/ssoconform/harness"
)

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

	// OktaSPECTest marks the reproduction of Okta's own "Okta SCIM 2.0 SPEC Test".
	OktaSPECTest = Label("Okta:SPEC-Test")

	// FeatureSettings marks the reference app's organization settings specs (settings pages, linking
	// emails, SSO enforcement, sso reset, plans, members).
	FeatureSettings = Label("Feature:settings")

	// FeatureTenants marks specs that need a second tenant of the target (tenant isolation).
	FeatureTenants = Label("Feature:tenants")

	// Stack marks specs that need the reference stack (the mock Okta driving the app), such as the
	// provisioning specs: a run against a SCIM server alone should select `!Stack`.
	Stack = Label("Stack")

	// Catalogue marks the SSO catalogue run against any app (RunSSO, `ssoconform sso`).
	Catalogue = Label("Catalogue")

	// FeaturePostgres marks specs that need a PostgreSQL database (REFAPP_TEST_POSTGRES_DSN).
	FeaturePostgres = Label("Feature:postgres")
)

// ProfileLabel is the label of a SCIM profile: Profile:okta-oin, Profile:okta-aiw or Profile:rfc. Only
// the target-agnostic SCIM specs carry one; `ssoconform scim` selects with it.
func ProfileLabel(p harness.SCIMFlavour) Labels { return Label("Profile:" + string(p)) }

// FeatureLabel is the label of an optional SCIM feature, e.g. Feature:groups. A spec carrying it is
// skipped, with the reason in the report, when the target does not declare the feature.
func FeatureLabel(f harness.SCIMFeature) Labels { return Label("Feature:" + string(f)) }
