package directory

// Okta's SAML URL shapes for an app (mock-idp.md 1.9, section 5 item 1), relative to the org base URL
// except the entity ID, which is absolute and the same on every org.

// SAMLEntityID is the IdP entity ID (the Issuer of responses): http://www.okta.com/{exk}.
func SAMLEntityID(externalKey string) string { return "http://www.okta.com/" + externalKey }

// SAMLMetadataPath is the path of the app's public IdP metadata: /app/{exk}/sso/saml/metadata.
func SAMLMetadataPath(externalKey string) string { return "/app/" + externalKey + "/sso/saml/metadata" }

// SAMLSSOPath is the path of the app's SSO endpoint: /app/{appName}/{exk}/sso/saml.
func SAMLSSOPath(appName, externalKey string) string {
	return "/app/" + appName + "/" + externalKey + "/sso/saml"
}
