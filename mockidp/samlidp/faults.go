package samlidp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// Fault is a deliberate defect an app's SAML responses can carry: its name (set on the app, see
// directory.Org.SetFaults), the rule it breaks and what the response then looks like. Each is a case of
// the SAML service-provider negative tests (shared/reference/conformance.md b.4).
type Fault struct {
	Name, Rule, Description string
}

// Fault names. Faults apply per app, in the order the app lists them; combining faults that edit the
// same part of the response is allowed but only single faults are tested.
const (
	FaultUnsigned          = "saml-unsigned"
	FaultTampered          = "saml-tampered"
	FaultOtherCert         = "saml-other-cert"
	FaultCertExpired       = "saml-cert-expired"
	FaultSHA1              = "saml-sha1"
	FaultXSLTTransform     = "saml-xslt-transform"
	FaultExpired           = "saml-expired"
	FaultNotYetValid       = "saml-not-yet-valid"
	FaultStaleIssueInstant = "saml-stale-issue-instant"
	FaultWrongAudience     = "saml-wrong-audience"
	FaultNoAudience        = "saml-no-audience-restriction"
	FaultWrongRecipient    = "saml-wrong-recipient"
	FaultWrongDestination  = "saml-wrong-destination"
	FaultNoDestination     = "saml-no-destination"
	FaultWrongIssuer       = "saml-wrong-issuer"
	FaultNoIssuer          = "saml-no-issuer"
	FaultWrongInResponseTo = "saml-wrong-in-response-to"
	FaultUnsolicited       = "saml-unsolicited"
	FaultStatusFailure     = "saml-status-failure"
	FaultNoSubject         = "saml-no-subject"
	FaultNoSubjectConf     = "saml-no-subject-confirmation"
	FaultNoConditions      = "saml-no-conditions"
	FaultForeignNameID     = "saml-foreign-nameid"
	FaultCommentNameID     = "saml-comment-nameid"
	FaultMultipleAssertion = "saml-multiple-assertions"
	FaultReplay            = "saml-replay"
	FaultXSW1              = "saml-xsw1"
	FaultXSW2              = "saml-xsw2"
	FaultXSW3              = "saml-xsw3"
	FaultXSW4              = "saml-xsw4"
	FaultXSW5              = "saml-xsw5"
	FaultXSW6              = "saml-xsw6"
	FaultXSW7              = "saml-xsw7"
	FaultXSW8              = "saml-xsw8"
	FaultXXE               = "saml-xxe"
	FaultEntityExpansion   = "saml-entity-expansion"
	FaultMalformed         = "saml-malformed"
	FaultBadBase64         = "saml-bad-base64"
	FaultOversized         = "saml-oversized"
)

// Values the faults put into responses.
const (
	OtherAudience  = "urn:ssoconform:another-sp"
	OtherACS       = "https://another-sp.example/saml/acs"
	OtherIssuer    = "http://www.okta.com/exkOtherIdP000000000"
	CommentTail    = ".evil.test"
	OversizedBytes = 11 << 20
)

type faultDef struct {
	Fault
	apply func(p *IdP, app directory.App, pl *plan) error
}

// faults is the catalogue, in the order Faults lists it.
var faults = []faultDef{
	{Fault{FaultUnsigned, "SAML profiles 4.1.3.5 and 4.1.4.5: a response delivered by HTTP-POST must carry a signed assertion or be signed itself; the SP must reject a response and assertion that are both unsigned (SAML-NEG-UNSIGNED; also SAML-NEG-SIG-STRIPPED-RESP, which yields the same bytes).",
		"Neither the Response nor the Assertion has a ds:Signature."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.signResponse, pl.signAssertion = false, false
			return nil
		}},
	{Fault{FaultTampered, "XML-DSig core validation: the digest of the referenced element must match its DigestValue; the SP must reject signed content changed after signing (SAML-NEG-SIG-TAMPERED).",
		"Signed as configured, then the Assertion's NameID is replaced by Config.EvilNameID."},
		func(p *IdP, _ directory.App, pl *plan) error {
			pl.mutate = append(pl.mutate, func(doc *etree.Document) error {
				return setNameID(child(doc.Root(), "Assertion"), p.cfg.EvilNameID)
			})
			return nil
		}},
	{Fault{FaultOtherCert, "The signature must be made with the key of the certificate in the IdP metadata; a certificate carried in KeyInfo is not a trust anchor (SAML-NEG-OTHER-CERT).",
		"Validly signed with a key the metadata does not publish; that key's self-signed certificate (same Okta-style subject) is in KeyInfo."},
		func(p *IdP, _ directory.App, pl *plan) error {
			k, err := p.keys.otherKey()
			pl.sig.key = k
			return err
		}},
	{Fault{FaultCertExpired, "The signing certificate should be within its validity period (SAML-NEG-CERT-EXPIRED; policy: crewjam rejects unless IgnoreCertificateExpiry).",
		"Signed with the app's own key, but the certificate in KeyInfo and in the metadata (re-fetch it after setting the fault) expired a year ago."},
		func(p *IdP, app directory.App, pl *plan) error {
			k, err := p.keys.expiredForApp(app.ID)
			pl.sig.key = k
			return err
		}},
	{Fault{FaultSHA1, "SHA-1 signatures and digests are deprecated (RFC 6931; NIST SP 800-131A); the SP should accept only SHA-256 or stronger (SAML-NEG-SHA1).",
		"Valid signatures using SignatureMethod rsa-sha1 and DigestMethod sha1."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.sig.sha1 = true; return nil }},
	{Fault{FaultXSLTTransform, "The SP must not run Reference transforms other than enveloped-signature and (exclusive) c14n; an XSLT transform can fetch URLs or run code (SAML-NEG-XSLT).",
		"Each Reference carries an XSLT transform (xsl:copy-of document('http://127.0.0.1:1/xslt')) before the usual ones."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.sig.xslt = true; return nil }},
	{Fault{FaultExpired, "SAML core 2.5.1.2 and 2.4.1.2: an assertion must not be accepted at or after Conditions/@NotOnOrAfter or SubjectConfirmationData/@NotOnOrAfter (SAML-NEG-EXPIRED).",
		"IssueInstant is now, but Conditions run from now-10m to now-5m and SubjectConfirmationData/@NotOnOrAfter is now-5m."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			now := pl.issueInstant
			pl.notBefore, pl.notOnOrAfter, pl.scdNotOnOrAfter = now.Add(-2*Window), now.Add(-Window), now.Add(-Window)
			return nil
		}},
	{Fault{FaultNotYetValid, "SAML core 2.5.1.2: an assertion must not be accepted before Conditions/@NotBefore (SAML-NEG-NOTBEFORE).",
		"Conditions run from now+10m to now+15m; everything else is valid."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			now := pl.issueInstant
			pl.notBefore, pl.notOnOrAfter = now.Add(2*Window), now.Add(3*Window)
			return nil
		}},
	{Fault{FaultStaleIssueInstant, "Bearer assertions are short-lived (SAML security considerations 6.4.5; profiles 4.1.4.5): the SP should refuse a response whose IssueInstant is older than its allowed delay (SAML-NEG-STALE-ISSUE).",
		"Response and Assertion IssueInstant are now-10m; Conditions and SubjectConfirmationData are still valid."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.issueInstant = pl.issueInstant.Add(-2 * Window)
			return nil
		}},
	{Fault{FaultWrongAudience, "SAML core 2.5.1.4: the SP must reject an assertion whose AudienceRestriction does not name it (SAML-NEG-AUDIENCE).",
		"Audience is " + OtherAudience + " instead of the app's audience."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.audience = OtherAudience; return nil }},
	{Fault{FaultNoAudience, "Profiles 4.1.4.2: a bearer assertion for Web Browser SSO must contain an AudienceRestriction naming the SP (SAML-NEG-AUDIENCE-ABSENT).",
		"Conditions has no AudienceRestriction."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.omitAudienceRestriction = true; return nil }},
	{Fault{FaultWrongRecipient, "Profiles 4.1.4.3: SubjectConfirmationData/@Recipient must be the ACS URL the response was delivered to (SAML-NEG-RECIPIENT).",
		"Recipient is " + OtherACS + "."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.recipient = OtherACS; return nil }},
	{Fault{FaultWrongDestination, "Bindings 3.5.5.2: a signed response's Destination must be the URL it was received at (SAML-NEG-DESTINATION).",
		"Response/@Destination is " + OtherACS + " (the response is still posted to the real ACS)."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.destination = OtherACS; return nil }},
	{Fault{FaultNoDestination, "Not a defect (SAML-POS-NO-DEST-UNSIGNED): Destination is required only on signed responses (bindings 3.5.5.2); the SP must ACCEPT this response.",
		"The Response is unsigned and has no Destination; the Assertion is signed."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.omitDestination, pl.signResponse, pl.signAssertion = true, false, true
			return nil
		}},
	{Fault{FaultWrongIssuer, "SAML core 2.3.3 / profiles 4.1.4.2: the Issuer must be the IdP's entity ID (SAML-NEG-WRONG-ISSUER).",
		"Response and Assertion Issuer are " + OtherIssuer + "."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.issuer = OtherIssuer; return nil }},
	{Fault{FaultNoIssuer, "SAML core 2.3.3: an Assertion must have an Issuer; the SP must reject it cleanly, without crashing (SAML-NEG-NO-ISSUER, GO-2026-6909).",
		"The signed Assertion has no saml2:Issuer (the Response keeps its own)."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.omitAssertionIssuer = true; return nil }},
	{Fault{FaultWrongInResponseTo, "Profiles 4.1.4.3: InResponseTo must be the ID of the SP's AuthnRequest (SAML-NEG-INRESPONSETO).",
		"Response/@InResponseTo and SubjectConfirmationData/@InResponseTo are a fresh id no request had."},
		func(p *IdP, _ directory.App, pl *plan) error {
			id, err := newID(p.cfg.Rand)
			pl.inResponseTo = id
			return err
		}},
	{Fault{FaultUnsolicited, "An SP that only does SP-initiated SSO must reject unsolicited responses (SAML-NEG-UNSOLICITED).",
		"IdP-initiated shape, as Okta sends from the dashboard: no InResponseTo anywhere, SessionIndex is a fresh id."},
		func(p *IdP, _ directory.App, pl *plan) error {
			id, err := newID(p.cfg.Rand)
			pl.inResponseTo, pl.sessionIndex = "", id
			return err
		}},
	{Fault{FaultStatusFailure, "SAML core 3.2.2.2: only a Success StatusCode means the request succeeded (SAML-NEG-STATUS).",
		"StatusCode is urn:oasis:names:tc:SAML:2.0:status:Responder, yet a valid signed Assertion is included."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.statusCode = statusResponder; return nil }},
	{Fault{FaultNoSubject, "Profiles 4.1.4.2: the assertion must contain a Subject; the SP must reject it cleanly (SAML-NEG-NO-SUBJECT).",
		"The signed Assertion has no Subject."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.omitSubject = true; return nil }},
	{Fault{FaultNoSubjectConf, "Profiles 4.1.4.2: the Subject must have a bearer SubjectConfirmation (SAML-NEG-NO-SUBJCONF).",
		"Subject has a NameID and no SubjectConfirmation."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.omitSubjectConfirmation = true; return nil }},
	{Fault{FaultNoConditions, "Profiles 4.1.4.2 require an AudienceRestriction, which lives in Conditions; the SP must reject cleanly (SAML-NEG-NO-CONDITIONS).",
		"The signed Assertion has no Conditions element."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.omitConditions = true; return nil }},
	{Fault{FaultForeignNameID, "SAML core 2.4.1: the subject identifier is saml:NameID in the SAML assertion namespace; an element of another namespace named NameID must be ignored (SAML-NEG-NS-NAMEID, GO-2026-6909).",
		"Subject has no saml2:NameID but <x:NameID xmlns:x=\"urn:ssoconform:mockidp:foreign\"> holding Config.EvilNameID; signed."},
		func(p *IdP, _ directory.App, pl *plan) error { pl.foreignNameID = p.cfg.EvilNameID; return nil }},
	{Fault{FaultCommentNameID, "Exclusive c14n drops comments, so the signature covers the NameID's full text; the SP must read all of it, never only the first text node (SAML-NEG-COMMENT-NAMEID; CVE-2017-11427 and kin).",
		"NameID is the app username, an empty comment, then \"" + CommentTail + "\": e.g. alice@acme.test<!---->" + CommentTail + ", signed; the signed value is alice@acme.test" + CommentTail + ", a naive reader sees alice@acme.test."},
		func(_ *IdP, _ directory.App, pl *plan) error { pl.nameIDCommentTail = CommentTail; return nil }},
	{Fault{FaultMultipleAssertion, "Only a signed assertion may be used; an unsigned assertion next to a signed one must never be taken (SAML-NEG-MULTI-ASSERT; CVE-2022-41912).",
		"Unsigned Response; the real signed Assertion, then an unsigned copy with a new ID naming Config.EvilNameID."},
		func(p *IdP, _ directory.App, pl *plan) error {
			pl.signResponse, pl.signAssertion = false, true
			evilID, err := newID(p.cfg.Rand)
			pl.mutate = append(pl.mutate, func(doc *etree.Document) error {
				resp := doc.Root()
				e, err := evilCopy(child(resp, "Assertion"), evilID, p.cfg.EvilNameID)
				resp.AddChild(e)
				return err
			})
			return err
		}},
	{Fault{FaultReplay, "Profiles 4.1.4.5: the SP must keep the IDs of used assertions for their validity period and refuse them again (SAML-NEG-REPLAY).",
		"A fresh Response (new ID, IssueInstant, InResponseTo and, as configured, signature) that carries, byte for byte, the previous Assertion this app sent. The first response after an app was created is normal. A replayed SP-initiated assertion still names its old request in SubjectConfirmationData/@InResponseTo, which an SP that binds assertions to requests also catches; to exercise the replay cache alone, let the first response be saml-unsolicited."},
		func(p *IdP, app directory.App, pl *plan) error {
			p.mu.Lock()
			pl.replay = p.last[app.ID]
			p.mu.Unlock()
			return nil
		}},
	xswFault(FaultXSW1, "the whole Response is cloned without its Signature and the clone placed inside the Signature; the outer Response gets a new ID and the evil NameID (response signature only)"),
	xswFault(FaultXSW2, "as XSW1, but the clone is placed just before the Signature (response signature only)"),
	xswFault(FaultXSW3, "an unsigned evil copy of the Assertion with a new ID is inserted before the signed Assertion (assertion signature only)"),
	xswFault(FaultXSW4, "an unsigned evil copy of the Assertion with a new ID replaces it, holding the signed original as its last child (assertion signature only)"),
	xswFault(FaultXSW5, "the signed Assertion is made evil in place (keeping its ID and Signature), and an unsigned copy of the original is appended to the Response (assertion signature only)"),
	xswFault(FaultXSW6, "the signed Assertion is made evil in place, and an unsigned copy of the original is placed inside its Signature (assertion signature only)"),
	xswFault(FaultXSW7, "a saml2p:Extensions element holding an unsigned evil copy of the Assertion (same ID) is inserted before the signed Assertion (assertion signature only)"),
	xswFault(FaultXSW8, "the signed Assertion is made evil in place, and an unsigned copy of the original goes into a ds:Object inside its Signature (assertion signature only)"),
	{Fault{FaultXXE, "The SP's XML parser must not resolve external entities (OWASP XXE; SAML-NEG-XXE).",
		"A DOCTYPE declares <!ENTITY xxe SYSTEM \"{org}/app/{exk}/sso/saml/probe\"> and the NameID references &xxe;. IdP.ProbeHits counts fetches of that URL: any hit means the SP resolved it."},
		func(p *IdP, app directory.App, pl *plan) error {
			probe := p.cfg.BaseURL + "/app/" + app.SAML.ExternalKey + "/sso/saml/probe"
			pl.rawEdit = injectDTD(`<!DOCTYPE saml2p:Response [<!ENTITY xxe SYSTEM "`+probe+`">]>`, pl.nameID, "&xxe;")
			return nil
		}},
	{Fault{FaultEntityExpansion, "The SP's XML parser must refuse or bound internal entity expansion (billion laughs; SAML-NEG-BILLION-LAUGHS).",
		"A DOCTYPE declares six nested entities, each ten of the previous (&lol5; expands to 300 000 characters), and the NameID references &lol5;."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.rawEdit = injectDTD(laughs(), pl.nameID, "&lol5;")
			return nil
		}},
	{Fault{FaultMalformed, "The SP must reject XML that is not well-formed (SAML-NEG-MALFORMED).",
		"The signed response without its closing </saml2p:Response> tag."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.rawEdit = func(b []byte) []byte { return bytes.TrimSuffix(bytes.TrimSpace(b), []byte("</saml2p:Response>")) }
			return nil
		}},
	{Fault{FaultBadBase64, "Bindings 3.5.4: SAMLResponse is base64; the SP must reject a value that does not decode (SAML-NEG-MALFORMED).",
		"The base64 of a valid response with its last three characters replaced by \"*\"."},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.encode = func(b []byte) string { s := (&plan{}).encoded(b); return s[:len(s)-3] + "*" }
			return nil
		}},
	{Fault{FaultOversized, "The SP must bound what it reads from the ACS request (SAML-NEG-HUGE-POST: more than 10 MiB, the net/http form limit).",
		fmt.Sprintf("A valid signed response with an attribute \"padding\" of %d bytes.", OversizedBytes)},
		func(_ *IdP, _ directory.App, pl *plan) error {
			pl.attributes = append(pl.attributes, attribute{name: "padding", nameFormat: attrUnspecified,
				values: []string{strings.Repeat("A", OversizedBytes)}})
			return nil
		}},
}

var faultByName = func() map[string]faultDef {
	m := make(map[string]faultDef, len(faults))
	for _, f := range faults {
		m[f.Name] = f
	}
	return m
}()

// Faults lists every SAML fault with the rule it breaks.
func Faults() []Fault {
	out := make([]Fault, len(faults))
	for i, f := range faults {
		out[i] = f.Fault
	}
	return out
}

// IsFault reports whether name is a SAML fault.
func IsFault(name string) bool {
	_, ok := faultByName[name]
	return ok
}

// injectDTD returns a raw edit putting dtd after the XML declaration and ref after the first NameID text.
func injectDTD(dtd, nameID, ref string) func([]byte) []byte {
	return func(b []byte) []byte {
		decl := []byte("?>")
		i := bytes.Index(b, decl) + len(decl)
		out := append([]byte{}, b[:i]...)
		out = append(out, dtd...)
		rest := b[i:]
		text := []byte(">" + escapeText(nameID) + "</saml2:NameID>")
		if j := bytes.Index(rest, text); j >= 0 {
			k := j + 1 + len(escapeText(nameID))
			out = append(out, rest[:k]...)
			out = append(out, ref...)
			return append(out, rest[k:]...)
		}
		return append(out, rest...)
	}
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeText(s string) string { return textEscaper.Replace(s) }

// laughs is a small billion-laughs DTD: lol0 is "lol", each next entity is ten of the previous.
func laughs() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE saml2p:Response [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>")
	return b.String()
}
