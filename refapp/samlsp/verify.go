package samlsp

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// verify decodes and checks a SAMLResponse for the attempt and returns the identity it carries.
func (sp *SP) verify(ctx context.Context, raw string, a store.LoginAttempt, c Connection) (Identity, error) {
	doc, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(raw), ""))
	if err != nil {
		return Identity{}, refuse(http.StatusBadRequest, err, "The SAML response from Okta is not valid base64")
	}
	if err := refuseMarkupDeclarations(doc); err != nil {
		return Identity{}, refuse(http.StatusBadRequest, err, "The SAML response from Okta contains a DOCTYPE or entity declaration, which is refused")
	}
	if err := screen(doc); err != nil {
		return Identity{}, err
	}
	md, err := ParseIdPMetadata([]byte(c.IdPMetadata))
	if err != nil {
		return Identity{}, refuse(http.StatusBadGateway, err, "The saved Okta SAML metadata of this organization cannot be used")
	}
	now := sp.cfg.Now()
	asn, err := sp.provider(md.entity, now).ParseXMLResponse(doc, []string{a.RequestID}, *mustURL(sp.ACSURL()))
	if err != nil {
		return Identity{}, crewjamRefusal(err)
	}
	var resp saml.Response
	if err := xml.Unmarshal(doc, &resp); err != nil { // already validated by crewjam: only for IssueInstant
		return Identity{}, refuse(http.StatusBadRequest, err, "The SAML response from Okta is malformed")
	}
	if err := sp.checkAssertion(asn, resp, md.EntityID, a.RequestID, now); err != nil {
		return Identity{}, err
	}
	if err := sp.cfg.Store.RecordAssertion(ctx, md.EntityID, asn.ID, replayUntil(asn, now, sp.cfg.MaxIssueAge), now); err != nil {
		if errors.Is(err, store.ErrAlreadyUsed) {
			return Identity{}, refuse(http.StatusBadRequest, err, "This SAML assertion was already used (replay); start again from the sign-in page")
		}
		return Identity{}, fmt.Errorf("saml replay cache: %w", err)
	}
	return identity(a.OrgID, md.EntityID, a.LinkMemberID, asn)
}

// checkAssertion applies refapp's own rules on top of crewjam's (which may be configured away).
func (sp *SP) checkAssertion(asn *saml.Assertion, resp saml.Response, idpEntityID, requestID string, now time.Time) error {
	if asn.Issuer.Value != idpEntityID || (resp.Issuer != nil && resp.Issuer.Value != idpEntityID) {
		return refuse(http.StatusBadRequest, nil, "The SAML response was issued by %q, not by this organization's Okta app", asn.Issuer.Value)
	}
	if resp.InResponseTo != requestID {
		return refuse(http.StatusBadRequest, nil, "The SAML response does not answer this app's request (InResponseTo); unsolicited sign-ins are refused")
	}
	for _, t := range []time.Time{resp.IssueInstant, asn.IssueInstant} {
		if t.Before(now.Add(-sp.cfg.MaxIssueAge)) || t.After(now.Add(sp.cfg.MaxIssueAge)) {
			return refuse(http.StatusBadRequest, nil, "The SAML response from Okta is stale (IssueInstant %s); check the clocks and start again", t.UTC().Format(time.RFC3339))
		}
	}
	if !namesAudience(asn, sp.EntityID()) && !defence.Off(defence.SAMLAudience) {
		return refuse(http.StatusBadRequest, nil, "The SAML assertion is not for this app: it needs an AudienceRestriction naming %s", sp.EntityID())
	}
	if !bearerConfirmed(asn, sp.ACSURL(), requestID, now) {
		return refuse(http.StatusBadRequest, nil, "The SAML assertion has no valid bearer SubjectConfirmation for this app (Recipient %s, unexpired, answering our request)", sp.ACSURL())
	}
	return nil
}

// namesAudience reports whether the assertion has AudienceRestrictions and every one names audience.
func namesAudience(asn *saml.Assertion, audience string) bool {
	if asn.Conditions == nil || len(asn.Conditions.AudienceRestrictions) == 0 {
		return false
	}
	for i := range asn.Conditions.AudienceRestrictions {
		found := false
		for _, au := range asn.Conditions.AudienceRestrictions[i].AllAudiences() {
			found = found || au.Value == audience
		}
		if !found {
			return false
		}
	}
	return true
}

// bearerConfirmed reports whether one bearer SubjectConfirmation names our ACS and request and is unexpired.
func bearerConfirmed(asn *saml.Assertion, acs, requestID string, now time.Time) bool {
	if asn.Subject == nil {
		return false
	}
	for _, sc := range asn.Subject.SubjectConfirmations {
		d := sc.SubjectConfirmationData
		if sc.Method == "urn:oasis:names:tc:SAML:2.0:cm:bearer" && d != nil && d.Recipient == acs &&
			d.InResponseTo == requestID && now.Before(d.NotOnOrAfter) {
			return true
		}
	}
	return false
}

// replayUntil is how long the assertion ID is kept: until the latest NotOnOrAfter, at least maxAge.
func replayUntil(asn *saml.Assertion, now time.Time, maxAge time.Duration) time.Time {
	until := now.Add(maxAge)
	if asn.Conditions != nil && asn.Conditions.NotOnOrAfter.After(until) {
		until = asn.Conditions.NotOnOrAfter
	}
	if asn.Subject != nil {
		for _, sc := range asn.Subject.SubjectConfirmations {
			if d := sc.SubjectConfirmationData; d != nil && d.NotOnOrAfter.After(until) {
				until = d.NotOnOrAfter
			}
		}
	}
	return until
}

// screen parses the response once for refapp's structural rules, before crewjam validates it: no
// SHA-1 SignatureMethod or DigestMethod, exactly one Assertion element in the whole document (an extra
// one anywhere, even inside Extensions or a Signature, is a wrapping attempt), no two elements with the
// same ID, and no XML comment inside a NameID (Okta never sends one; a reader that stops at the comment
// would see another name).
func screen(doc []byte) error {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return refuse(http.StatusBadRequest, err, "The SAML response from Okta is not well-formed XML")
	}
	for _, path := range []string{"//SignatureMethod", "//DigestMethod"} {
		for _, e := range d.FindElements(path) {
			alg := e.SelectAttrValue("Algorithm", "")
			if strings.HasSuffix(alg, "sha1") {
				return refuse(http.StatusBadRequest, nil, "The SAML response from Okta is signed with SHA-1 (%s), which is refused; configure SHA-256 in Okta", alg)
			}
		}
	}
	if n := len(d.FindElements("//Assertion")) + len(d.FindElements("//EncryptedAssertion")); n != 1 {
		return refuse(http.StatusBadRequest, nil, "The SAML response from Okta carries %d assertions; exactly one is accepted", n)
	}
	ids := map[string]bool{}
	for _, e := range d.FindElements("//*[@ID]") {
		id := e.SelectAttrValue("ID", "")
		if ids[id] {
			return refuse(http.StatusBadRequest, nil, "The SAML response from Okta has two elements with the same ID")
		}
		ids[id] = true
	}
	for _, e := range d.FindElements("//NameID") {
		for _, tok := range e.Child {
			if _, ok := tok.(*etree.Comment); ok {
				return refuse(http.StatusBadRequest, nil, "The SAML response from Okta has an XML comment inside the NameID, which is refused")
			}
		}
	}
	return nil
}

// crewjamRefusal words crewjam's classified errors for the user.
func crewjamRefusal(err error) *Error {
	msg := "The SAML response from Okta was refused"
	for _, c := range []struct {
		kind error
		text string
	}{
		{saml.ErrUnsupported, "it uses an algorithm or construct this app does not accept"},
		{saml.ErrUntrustedCertificate, "its signature is not made with the certificate of this organization's Okta app"},
		{saml.ErrCertificateNotValidNow, "its signing certificate is expired or not yet valid"},
		{saml.ErrInvalidSignature, "its signature is missing or invalid"},
		{saml.ErrMalformedMessage, "it is malformed"},
		{saml.ErrMissingElement, "a required element is missing"},
		{saml.ErrExpired, "it has expired"},
		{saml.ErrNotYetValid, "it is not valid yet"},
		{saml.ErrIssuerMismatch, "it was not issued by this organization's Okta app"},
		{saml.ErrDestinationMismatch, "it was addressed to another URL (Destination or Recipient)"},
		{saml.ErrRequestIDMismatch, "it does not answer this app's request (InResponseTo); unsolicited sign-ins are refused"},
		{saml.ErrAudienceMismatch, "it is meant for another app (AudienceRestriction)"},
	} {
		if errors.Is(err, c.kind) {
			return refuse(http.StatusBadRequest, err, "%s: %s", msg, c.text)
		}
	}
	if strings.Contains(err.Error(), "Status") || strings.Contains(err.Error(), "status") {
		return refuse(http.StatusForbidden, err, "%s: Okta reports that the sign-in did not succeed", msg)
	}
	return refuse(http.StatusBadRequest, err, "%s", msg)
}

// identity reads who signed in: the NameID (all of its text) and the email and name attributes.
func identity(orgID, issuer, linkMemberID string, asn *saml.Assertion) (Identity, error) {
	if asn.Subject == nil || asn.Subject.NameID == nil || strings.TrimSpace(asn.Subject.NameID.Value) == "" {
		return Identity{}, refuse(http.StatusBadRequest, nil, "The SAML assertion from Okta names no subject (NameID)")
	}
	id := Identity{OrgID: orgID, Issuer: issuer, Subject: asn.Subject.NameID.Value, LinkMemberID: linkMemberID}
	attrs := map[string]string{}
	for _, st := range asn.AttributeStatements {
		for _, at := range st.Attributes {
			if len(at.Values) > 0 {
				attrs[strings.ToLower(at.Name)] = at.Values[0].Value
			}
		}
	}
	id.Email = attrs["email"]
	if id.Email == "" && strings.Contains(id.Subject, "@") {
		id.Email = id.Subject
	}
	if !strings.Contains(id.Email, "@") {
		return Identity{}, refuse(http.StatusBadRequest, nil, "The SAML assertion from Okta carries no email address (attribute \"email\" or an email NameID)")
	}
	id.Name = attrs["displayname"]
	if id.Name == "" {
		id.Name = strings.TrimSpace(attrs["firstname"] + " " + attrs["lastname"])
	}
	return id, nil
}

func xmlMarshal(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
