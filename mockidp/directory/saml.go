package directory

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SignOnModeSAML is Okta's signOnMode for SAML 2.0 app integrations.
const SignOnModeSAML = "SAML_2_0"

// Prefix of SAML app external keys ("exk..."), the id in the SAML entity ID and SSO URLs.
const PrefixExternalKey = "exk"

// NameID formats an app may use (Okta's subjectNameIdFormat values).
const (
	NameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDEmail       = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDX509        = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
	NameIDPersistent  = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDTransient   = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

// NameIDFormat is one NameID format Okta offers for a SAML app, with the label its wizard shows.
type NameIDFormat struct{ URN, Label string }

// NameIDFormats are the five formats Okta's subjectNameIdFormat takes, in its wizard's order; the
// directory refuses any other (checkAppURLs).
var NameIDFormats = []NameIDFormat{
	{NameIDUnspecified, "Unspecified"},
	{NameIDEmail, "EmailAddress"},
	{NameIDX509, "x509SubjectName"},
	{NameIDPersistent, "Persistent"},
	{NameIDTransient, "Transient"},
}

// SAMLAttribute is one attribute statement: Name and NameFormat as sent, Value the user profile field it
// carries: "email", "firstName", "lastName", "displayName" or "login".
type SAMLAttribute struct {
	Name, NameFormat, Value string
}

// SAMLGroupAttribute is a group attribute statement: the names of the user's groups that pass the
// filter. Filter is STARTS_WITH, EQUALS, CONTAINS or REGEX (Okta's filter types); Value its operand.
type SAMLGroupAttribute struct {
	Name, NameFormat, Filter, Value string
}

// SAMLSettings are a SAML app's settings, named as in Okta's app integration wizard and apps API.
type SAMLSettings struct {
	// ExternalKey is "exk" + 17 characters; the IdP entity ID is http://www.okta.com/{ExternalKey}.
	ExternalKey string
	// AppName is the URL name in /app/{AppName}/{ExternalKey}/sso/saml.
	AppName string
	// SSOURL is the "Single sign-on URL" (ssoAcsUrl): where responses are posted.
	SSOURL string
	// Recipient and Destination default to SSOURL.
	Recipient, Destination string
	// Audience is the "Audience URI (SP Entity ID)".
	Audience string
	// RequestableSSOURLs are the "Other requestable SSO URLs" an AuthnRequest may ask for.
	RequestableSSOURLs []string
	// NameIDFormat defaults to NameIDUnspecified.
	NameIDFormat string
	// ResponseSigned and AssertionSigned say which elements are signed (Okta's default: both).
	ResponseSigned, AssertionSigned bool
	// DefaultRelayState is sent when the request carries none.
	DefaultRelayState string
	// SLOURL is the SP's "Single Logout URL", where the LogoutResponse of a single logout goes; empty
	// means single logout is not enabled for the app (Okta's "Enable Single Logout" unchecked).
	SLOURL string
	// SPIssuer is the "SP Issuer" a LogoutRequest must carry. Default: Audience.
	SPIssuer string
	// SPCertificate is the "Signature Certificate" uploaded for single logout (PEM): Okta verifies the
	// signature of every LogoutRequest with it and refuses requests it does not verify.
	SPCertificate  string
	Attributes     []SAMLAttribute
	GroupAttribute *SAMLGroupAttribute
}

func (s *SAMLSettings) clone() *SAMLSettings {
	c := *s
	c.RequestableSSOURLs = slices.Clone(s.RequestableSSOURLs)
	c.Attributes = slices.Clone(s.Attributes)
	if s.GroupAttribute != nil {
		g := *s.GroupAttribute
		c.GroupAttribute = &g
	}
	return &c
}

// SAMLAppInput describes a SAML app to create. Settings.ExternalKey and AppName are generated when empty;
// Recipient and Destination default to SSOURL, Audience is required, NameIDFormat defaults to
// unspecified. Both signatures are on unless UnsignedResponse / UnsignedAssertion say otherwise.
type SAMLAppInput struct {
	Label                               string
	Settings                            SAMLSettings
	UnsignedResponse, UnsignedAssertion bool
}

// CreateSAMLApp adds a SAML 2.0 app integration.
func (o *Org) CreateSAMLApp(in SAMLAppInput) (App, error) {
	s := in.Settings
	if strings.TrimSpace(in.Label) == "" {
		return App{}, fmt.Errorf("create saml app: label is required: %w", ErrInvalid)
	}
	if in.UnsignedResponse && in.UnsignedAssertion {
		return App{}, fmt.Errorf("create saml app %q: the response or the assertion must be signed: %w", in.Label, ErrInvalid)
	}
	id, err := NewID(o.rand, PrefixApp)
	if err != nil {
		return App{}, fmt.Errorf("create saml app %q: %w", in.Label, err)
	}
	if s.ExternalKey == "" {
		if s.ExternalKey, err = NewID(o.rand, PrefixExternalKey); err != nil {
			return App{}, fmt.Errorf("create saml app %q: %w", in.Label, err)
		}
	}
	if s.AppName == "" {
		s.AppName = fmt.Sprintf("%s_%s_1", strings.ReplaceAll(o.name, "-", ""), appNamePart(in.Label))
	}
	s.Recipient = cmpOr(s.Recipient, s.SSOURL)
	s.Destination = cmpOr(s.Destination, s.SSOURL)
	s.NameIDFormat = cmpOr(s.NameIDFormat, NameIDUnspecified)
	s.ResponseSigned, s.AssertionSigned = !in.UnsignedResponse, !in.UnsignedAssertion
	now := o.stamp()
	a := &App{ID: id, Label: in.Label, SignOnMode: SignOnModeSAML, SAML: s.clone(), Created: now, LastUpdated: now}
	if err := checkAppURLs(a, nil); err != nil {
		return App{}, fmt.Errorf("create saml app %q: %w", in.Label, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, other := range o.apps {
		if other.SAML != nil && other.SAML.ExternalKey == s.ExternalKey {
			return App{}, fmt.Errorf("create saml app %q: external key %q %w", in.Label, s.ExternalKey, ErrConflict)
		}
	}
	o.apps[id] = a
	o.appOrder = append(o.appOrder, id)
	return a.clone(), nil
}

// AppByExternalKey returns the SAML app whose external key is key.
func (o *Org) AppByExternalKey(key string) (App, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, a := range o.apps {
		if a.SAML != nil && a.SAML.ExternalKey == key {
			return a.clone(), true
		}
	}
	return App{}, false
}

// SetFaults replaces the app's fault names (nil or empty clears them). Callers validate the names.
func (o *Org) SetFaults(appID string, faults []string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return fmt.Errorf("set faults: app %q %w", appID, ErrNotFound)
	}
	a.Faults = slices.Clone(faults)
	return nil
}

// HasFault reports whether the app carries the named fault.
func (a App) HasFault(name string) bool { return slices.Contains(a.Faults, name) }

// appNamePart turns a label into the lower-case letters and digits Okta uses in app names.
func appNamePart(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "app"
	}
	return b.String()
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ParsePEMCertificate reads the one X.509 certificate of a PEM "CERTIFICATE" block, as Okta accepts an
// uploaded SP signature certificate.
func ParsePEMCertificate(s string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM CERTIFICATE block")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errors.New("more than one PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}
