package samlidp

import (
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/beevik/etree"
)

// SAML namespaces and values Okta uses.
const (
	nsProtocol          = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion         = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsXS                = "http://www.w3.org/2001/XMLSchema"
	nsXSI               = "http://www.w3.org/2001/XMLSchema-instance"
	formatEntity        = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
	statusSuccess       = "urn:oasis:names:tc:SAML:2.0:status:Success"
	statusResponder     = "urn:oasis:names:tc:SAML:2.0:status:Responder"
	methodBearer        = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	classPasswordTransp = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	attrUnspecified     = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
	attrURI             = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
	attrBasic           = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
)

// attribute is one attribute statement with its values.
type attribute struct {
	name, nameFormat string
	values           []string
}

// plan is everything that decides one response. It starts as Okta's response and faults edit it: knobs
// before the XML is built, mutations after it is signed, raw edits on the serialized bytes.
type plan struct {
	issueInstant, authnInstant               time.Time
	notBefore, notOnOrAfter, scdNotOnOrAfter time.Time
	responseID, assertionID                  string
	issuer                                   string // Response and Assertion Issuer
	destination, recipient, audience         string
	inResponseTo, sessionIndex               string // "" omits InResponseTo (Response and SubjectConfirmationData)
	statusCode                               string
	nameIDFormat, nameID                     string
	attributes                               []attribute

	// Structural knobs, all off for Okta's shape.
	omitSubject, omitSubjectConfirmation, omitConditions          bool
	omitAudienceRestriction, omitAssertionIssuer, omitDestination bool
	// nameIDCommentTail, when set, follows the NameID text after an empty comment (<!---->).
	nameIDCommentTail string
	// foreignNameID replaces saml2:NameID with an element of another namespace named NameID.
	foreignNameID string

	signResponse, signAssertion bool
	sig                         sigOptions

	// replay, when set, is a previously sent assertion embedded byte for byte instead of a new one.
	replay []byte
	// mutate run in order on the signed document.
	mutate []func(doc *etree.Document) error
	// rawEdit runs on the serialized document; encode turns it into the SAMLResponse value.
	rawEdit func([]byte) []byte
	encode  func([]byte) string
}

// timestamp formats t as Okta does: UTC with milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID returns an Okta-style SAML id: "id" followed by 25 decimal digits.
func newID(r io.Reader) (string, error) {
	b := make([]byte, 40)
	out := []byte("id")
	for len(out) < 27 {
		if _, err := io.ReadFull(r, b); err != nil {
			return "", fmt.Errorf("new saml id: %w", err)
		}
		for _, c := range b {
			if c < 250 && len(out) < 27 {
				out = append(out, '0'+c%10)
			}
		}
	}
	if out[2] == '0' {
		out[2] = '1'
	}
	return string(out), nil
}

// build produces the serialized response and the assertion it carries (serialized as sent, for replay).
func (pl *plan) build() (xml []byte, assertion []byte, err error) {
	var a *etree.Element
	if pl.replay != nil {
		d := etree.NewDocument()
		if err := d.ReadFromBytes(pl.replay); err != nil {
			return nil, nil, fmt.Errorf("build response: read replayed assertion: %w", err)
		}
		a = d.Root()
	} else {
		a = pl.assertion()
		if pl.signAssertion {
			if err := sign(a, pl.sig); err != nil {
				return nil, nil, fmt.Errorf("build response: assertion: %w", err)
			}
		}
	}
	ad := etree.NewDocument()
	ad.SetRoot(a.Copy())
	if assertion, err = ad.WriteToBytes(); err != nil {
		return nil, nil, fmt.Errorf("build response: %w", err)
	}

	resp := pl.response()
	resp.AddChild(a)
	if pl.signResponse {
		if err := sign(resp, pl.sig); err != nil {
			return nil, nil, fmt.Errorf("build response: %w", err)
		}
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(resp)
	for _, m := range pl.mutate {
		if err := m(doc); err != nil {
			return nil, nil, fmt.Errorf("build response: %w", err)
		}
	}
	if xml, err = doc.WriteToBytes(); err != nil {
		return nil, nil, fmt.Errorf("build response: %w", err)
	}
	if pl.rawEdit != nil {
		xml = pl.rawEdit(xml)
	}
	return xml, assertion, nil
}

// encoded returns the SAMLResponse form value for xml.
func (pl *plan) encoded(xml []byte) string {
	if pl.encode != nil {
		return pl.encode(xml)
	}
	return base64.StdEncoding.EncodeToString(xml)
}

// response builds saml2p:Response with its Issuer and Status (no assertion yet).
func (pl *plan) response() *etree.Element {
	r := etree.NewElement("saml2p:Response")
	r.CreateAttr("xmlns:saml2p", nsProtocol)
	if !pl.omitDestination {
		r.CreateAttr("Destination", pl.destination)
	}
	r.CreateAttr("ID", pl.responseID)
	if pl.inResponseTo != "" {
		r.CreateAttr("InResponseTo", pl.inResponseTo)
	}
	r.CreateAttr("IssueInstant", timestamp(pl.issueInstant))
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("xmlns:xs", nsXS)
	elem(r, "saml2:Issuer", "xmlns:saml2", nsAssertion, "Format", formatEntity).SetText(pl.issuer)
	st := elem(r, "saml2p:Status", "xmlns:saml2p", nsProtocol)
	elem(st, "saml2p:StatusCode", "Value", pl.statusCode)
	return r
}

// assertion builds an unsigned saml2:Assertion in Okta's element order and namespace style.
func (pl *plan) assertion() *etree.Element {
	a := etree.NewElement("saml2:Assertion")
	a.CreateAttr("xmlns:saml2", nsAssertion)
	a.CreateAttr("ID", pl.assertionID)
	a.CreateAttr("IssueInstant", timestamp(pl.issueInstant))
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("xmlns:xs", nsXS)
	if !pl.omitAssertionIssuer {
		elem(a, "saml2:Issuer", "Format", formatEntity, "xmlns:saml2", nsAssertion).SetText(pl.issuer)
	}
	if !pl.omitSubject {
		pl.subject(a)
	}
	if !pl.omitConditions {
		c := elem(a, "saml2:Conditions", "NotBefore", timestamp(pl.notBefore),
			"NotOnOrAfter", timestamp(pl.notOnOrAfter), "xmlns:saml2", nsAssertion)
		if !pl.omitAudienceRestriction {
			c.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText(pl.audience)
		}
	}
	as := elem(a, "saml2:AuthnStatement", "AuthnInstant", timestamp(pl.authnInstant))
	if pl.sessionIndex != "" {
		as.CreateAttr("SessionIndex", pl.sessionIndex)
	}
	as.CreateAttr("xmlns:saml2", nsAssertion)
	as.CreateElement("saml2:AuthnContext").CreateElement("saml2:AuthnContextClassRef").SetText(classPasswordTransp)
	if len(pl.attributes) > 0 {
		st := elem(a, "saml2:AttributeStatement", "xmlns:saml2", nsAssertion)
		for _, at := range pl.attributes {
			ae := elem(st, "saml2:Attribute", "Name", at.name, "NameFormat", at.nameFormat)
			for _, v := range at.values {
				elem(ae, "saml2:AttributeValue", "xmlns:xs", nsXS, "xmlns:xsi", nsXSI, "xsi:type", "xs:string").SetText(v)
			}
		}
	}
	return a
}

func (pl *plan) subject(a *etree.Element) {
	s := elem(a, "saml2:Subject", "xmlns:saml2", nsAssertion)
	switch {
	case pl.foreignNameID != "":
		elem(s, "x:NameID", "xmlns:x", "urn:ssoconform:mockidp:foreign", "Format", pl.nameIDFormat).SetText(pl.foreignNameID)
	default:
		n := elem(s, "saml2:NameID", "Format", pl.nameIDFormat)
		n.SetText(pl.nameID)
		if pl.nameIDCommentTail != "" {
			n.CreateComment("")
			n.CreateText(pl.nameIDCommentTail)
		}
	}
	if pl.omitSubjectConfirmation {
		return
	}
	scd := elem(s, "saml2:SubjectConfirmation", "Method", methodBearer).CreateElement("saml2:SubjectConfirmationData")
	if pl.inResponseTo != "" {
		scd.CreateAttr("InResponseTo", pl.inResponseTo)
	}
	scd.CreateAttr("NotOnOrAfter", timestamp(pl.scdNotOnOrAfter))
	scd.CreateAttr("Recipient", pl.recipient)
}
