// Package defence names refapp's defences so that a self-test build can switch one off and prove that
// the conformance specs notice. A self-test build is `go build -tags selftest ./cmd/refapp`: it reads
// the names to switch off from the environment variable the selftest file names (comma-separated) and
// says so loudly on standard error when it starts. A production build (no tag) has no way to switch
// anything off: Off is a constant false there, the compiler drops the checks' alternatives, and the
// variable's name is not in the binary (cmd/ssoconform's self-test proves both builds).
//
// Each defence is checked where it lives:
//
//	if !defence.Off(defence.Nonce) && idt.Nonce != want { refuse }
//
// Not every defence has a switch: only those whose removal a spec can see from outside. SAML's replay
// cache sits behind other checks that stop the same attack (a response answers one single-use
// AuthnRequest, InResponseTo and the bearer confirmation name it), so switching it off alone changed no
// spec's verdict in the self-test; its unit tests (refapp/samlsp) keep it. The SAML audience switch
// turns off both refapp's own AudienceRestriction check and crewjam's (which alone would still refuse).
//
// The runner that switches each one off in turn and runs the specs that must catch it is
// TestSelfTestSSODefences in cmd/ssoconform (`make selftest`).
package defence

// Name names one defence.
type Name string

// The defences a self-test build can switch off, and the rule each one keeps.
const (
	// Nonce: the ID token's nonce must be present and equal to the one sent (OIDC Core 3.1.3.7 #11).
	Nonce Name = "nonce"
	// Audience: the ID token's aud must name this app, and azp too when aud names others (3.1.3.7 #3-#5).
	Audience Name = "audience"
	// Signature: the ID token's signature must verify with a key of the issuer's JWKS (3.1.3.7 #6).
	Signature Name = "signature"
	// PlanGate: SSO and SCIM are for the pro and enterprise plans (the seed's Requirements).
	PlanGate Name = "plan-gate"
	// RequireSSO: with "Require your organization members to use SSO" on, password sign-in and
	// newcomers are refused (the seed's optional step).
	RequireSSO Name = "require-sso"
	// RequireSSOMembers: with "Require your organization members to use SSO" on, current members whose
	// Okta account is linked (or provisioned) still get in; only outsiders are refused.
	RequireSSOMembers Name = "require-sso-members"
	// LinkMail: saving SSO mails every member not linked yet a single-use account-linking link.
	LinkMail Name = "link-mail"
	// SCIMScope: SCIM takes only API keys (organization or personal) with the scim scope.
	SCIMScope Name = "scim-scope"
	// SyncToggle: SCIM answers only while "Sync the group & users from your SSO provider" is on.
	SyncToggle Name = "sync-toggle"
	// Sanitization: names are sanitized before a member is shown or signed in as them (Known Issues).
	Sanitization Name = "sanitization"
	// DefaultRole: new members (SCIM-pushed or just in time) get the connection's Default Role.
	DefaultRole Name = "default-role"
	// State: an OIDC callback's state must belong to a sign-in started in this browser (its binding
	// cookie), so no one can finish their own sign-in in someone else's browser (login CSRF).
	State Name = "state"
	// SAMLAudience: a SAML assertion must carry an AudienceRestriction naming this app's entity ID.
	SAMLAudience Name = "saml-audience"
	// EmailType: each SCIM email keeps the type Okta sent (the seed maps emailType).
	EmailType Name = "email-type"
	// SettingsSAML: the OKTA AUTHENTICATION page saves the protocol the admin chose (SAML with its
	// Identity Provider Metadata URL), not the one saved before.
	SettingsSAML Name = "settings-saml"
	// SettingsDefaultRole: the OKTA AUTHENTICATION page saves the role chosen in the Default Role
	// drop-down.
	SettingsDefaultRole Name = "settings-default-role"
	// SLO: signing out after a SAML sign-in also ends the Okta session (a signed LogoutRequest to the
	// IdP's single logout service), not only this app's.
	SLO Name = "slo"
)

// All lists every defence, in the order the self-test reports them.
func All() []Name {
	return []Name{Nonce, Audience, Signature, PlanGate, RequireSSO, RequireSSOMembers,
		LinkMail, SCIMScope, SyncToggle, Sanitization, DefaultRole, State, SAMLAudience, EmailType, SettingsSAML, SettingsDefaultRole,
		SLO}
}
