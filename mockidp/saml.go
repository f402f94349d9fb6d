package mockidp

import (
	"context"
	"fmt"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/samlidp"
)

// NameID formats a SAML app may use (Okta's subjectNameIdFormat values).
const (
	NameIDUnspecified = directory.NameIDUnspecified
	NameIDEmail       = directory.NameIDEmail
	NameIDPersistent  = directory.NameIDPersistent
	NameIDTransient   = directory.NameIDTransient
)

// SAMLAttribute is an attribute statement: Name and NameFormat ("unspecified" by default, "uri",
// "basic" or a URI) as sent, Value the user profile field it carries: "email", "firstName", "lastName",
// "displayName" or "login".
type SAMLAttribute struct {
	Name, NameFormat, Value string
}

// SAMLGroupAttribute is a group attribute statement: the names of the user's groups that pass Filter
// (STARTS_WITH, EQUALS, CONTAINS or REGEX, which must match the whole name) with operand Value.
type SAMLGroupAttribute struct {
	Name, NameFormat, Filter, Value string
}

// SAMLAppInput describes a SAML 2.0 app integration, in the terms of Okta's app integration wizard.
// SSOURL ("Single sign-on URL", the SP's ACS) and Audience ("Audience URI (SP Entity ID)") are required;
// NameIDFormat defaults to NameIDUnspecified. Response and Assertion are both signed unless one of the
// Unsigned flags says otherwise (not both). SLOURL (the SP's "Single Logout URL") enables single logout;
// SPIssuer ("SP Issuer", the Issuer of its LogoutRequests) defaults to Audience; SPCertificate (PEM, the
// "Signature Certificate") verifies the signature Okta requires on every LogoutRequest.
type SAMLAppInput struct {
	Label                               string
	SSOURL                              string
	Audience                            string
	RequestableSSOURLs                  []string
	NameIDFormat                        string
	Attributes                          []SAMLAttribute
	GroupAttribute                      *SAMLGroupAttribute
	UnsignedResponse, UnsignedAssertion bool
	SLOURL, SPIssuer, SPCertificate     string
}

// SAMLApp is a SAML app integration as an SP administrator sees it: EntityID is the IdP entity ID
// (http://www.okta.com/{ExternalKey}), MetadataURL the IdP metadata an SP loads, SSOURL the IdP's SSO
// endpoint (HTTP-Redirect and HTTP-POST).
type SAMLApp struct {
	ID, Label, ExternalKey, EntityID, MetadataURL, SSOURL string
}

// CreateSAMLApp creates a SAML 2.0 app integration. Its signing key and certificate are made when the
// app is first used (metadata or SSO).
func (o *Org) CreateSAMLApp(ctx context.Context, in SAMLAppInput) (SAMLApp, error) {
	s := directory.SAMLSettings{SSOURL: in.SSOURL, Audience: in.Audience,
		RequestableSSOURLs: slices.Clone(in.RequestableSSOURLs), NameIDFormat: in.NameIDFormat,
		SLOURL: in.SLOURL, SPIssuer: in.SPIssuer, SPCertificate: in.SPCertificate}
	for _, a := range in.Attributes {
		s.Attributes = append(s.Attributes, directory.SAMLAttribute(a))
	}
	if in.GroupAttribute != nil {
		g := directory.SAMLGroupAttribute(*in.GroupAttribute)
		s.GroupAttribute = &g
	}
	a, err := o.dir.CreateSAMLApp(directory.SAMLAppInput{Label: in.Label, Settings: s,
		UnsignedResponse: in.UnsignedResponse, UnsignedAssertion: in.UnsignedAssertion})
	if err != nil {
		return SAMLApp{}, fmt.Errorf("create saml app: %w", err)
	}
	return o.toSAMLApp(a), nil
}

// SAMLApps returns the org's SAML app integrations in creation order.
func (o *Org) SAMLApps() []SAMLApp {
	var out []SAMLApp
	for _, a := range o.dir.Apps() {
		if a.SAML != nil {
			out = append(out, o.toSAMLApp(a))
		}
	}
	return out
}

func (o *Org) toSAMLApp(a directory.App) SAMLApp {
	s := a.SAML
	return SAMLApp{ID: a.ID, Label: a.Label, ExternalKey: s.ExternalKey, EntityID: samlidp.EntityID(s.ExternalKey),
		MetadataURL: o.baseURL + "/app/" + s.ExternalKey + "/sso/saml/metadata",
		SSOURL:      o.baseURL + "/app/" + s.AppName + "/" + s.ExternalKey + "/sso/saml"}
}
