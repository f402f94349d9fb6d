package samlidp

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// faultRun is one response produced with a fault set.
type faultRun struct {
	env     *env
	sp      *saml.ServiceProvider
	reqID   string
	value   string // the SAMLResponse form value
	xml     []byte // decoded value (nil when it does not decode)
	doc     *etree.Document
	browser *http.Client
}

// parse validates the response with crewjam, after mod adjusts the SP.
func (r *faultRun) parse(mod func(*saml.ServiceProvider), ids ...string) (*saml.Assertion, error) {
	sp := *r.sp
	if mod != nil {
		mod(&sp)
	}
	if ids == nil {
		ids = []string{r.reqID}
	}
	a, err := sp.ParseXMLResponse(r.xml, ids, sp.AcsURL)
	return a, privateErr(err)
}

func (r *faultRun) rejects(t *testing.T, mod func(*saml.ServiceProvider), want string) {
	t.Helper()
	a, err := r.parse(mod)
	if err == nil {
		t.Fatalf("crewjam accepted the response (NameID %q); want an error with %q", a.Subject.NameID.Value, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("crewjam error %q, want one with %q", err, want)
	}
}

func (r *faultRun) accepts(t *testing.T, mod func(*saml.ServiceProvider)) *saml.Assertion {
	t.Helper()
	a, err := r.parse(mod)
	if err != nil {
		t.Fatalf("crewjam rejected the response: %v", err)
	}
	return a
}

// find returns the elements at an etree path from the response root.
func (r *faultRun) find(t *testing.T, path string) []*etree.Element {
	t.Helper()
	if r.doc == nil {
		t.Fatal("response is not well-formed XML")
	}
	return r.doc.Root().FindElements(path)
}

func (r *faultRun) attr(t *testing.T, path, name string) string {
	t.Helper()
	els := r.find(t, path)
	if len(els) == 0 {
		t.Fatalf("no %s in the response", path)
	}
	return els[0].SelectAttrValue(name, "<absent>")
}

func (r *faultRun) nameID(t *testing.T, path string) string {
	t.Helper()
	els := r.find(t, path+"/saml2:Subject/saml2:NameID")
	if len(els) != 1 {
		t.Fatalf("%d NameIDs under %s", len(els), path)
	}
	return els[0].Text()
}

func (r *faultRun) signatures() int { return bytes.Count(r.xml, []byte("<ds:Signature ")) }

const evil = "victim@evil.test"

// faultChecks proves each fault produces exactly its defect: what the XML shows, and how crewjam's
// ServiceProvider (whose defences are listed in conformance.md b.4) reacts.
var faultChecks = map[string]func(t *testing.T, r *faultRun){
	FaultUnsigned: func(t *testing.T, r *faultRun) {
		if r.signatures() != 0 {
			t.Errorf("%d signatures", r.signatures())
		}
		r.rejects(t, nil, "signature element not present")
	},
	FaultTampered: func(t *testing.T, r *faultRun) {
		if r.signatures() != 2 || r.nameID(t, "saml2:Assertion") != evil {
			t.Errorf("%d signatures, NameID %q", r.signatures(), r.nameID(t, "saml2:Assertion"))
		}
		r.rejects(t, nil, "Signature could not be verified")
	},
	FaultOtherCert: func(t *testing.T, r *faultRun) {
		keyInfo := strings.ReplaceAll(r.find(t, "ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate")[0].Text(), "\n", "")
		published := &r.sp.IDPMetadata.IDPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data
		if keyInfo == strings.ReplaceAll(*published, "\n", "") {
			t.Fatal("KeyInfo carries the published certificate")
		}
		r.rejects(t, nil, "Could not verify certificate against trusted certs")
		// The signature itself is valid: an SP that trusted that certificate would accept it.
		md := *r.sp.IDPMetadata
		md.IDPSSODescriptors = []saml.IDPSSODescriptor{md.IDPSSODescriptors[0]}
		md.IDPSSODescriptors[0].KeyDescriptors = []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{
			X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: keyInfo}}}}}}
		r.accepts(t, func(sp *saml.ServiceProvider) { sp.IDPMetadata = &md })
	},
	FaultCertExpired: func(t *testing.T, r *faultRun) {
		r.rejects(t, nil, "Cert is not valid at this time")
		r.accepts(t, func(sp *saml.ServiceProvider) { sp.IgnoreCertificateExpiry = true })
	},
	FaultSHA1: func(t *testing.T, r *faultRun) {
		if bytes.Contains(r.xml, []byte(algRSASHA256)) || bytes.Count(r.xml, []byte(`"`+algRSASHA1+`"`)) != 2 ||
			bytes.Count(r.xml, []byte(`"`+algSHA1+`"`)) != 2 {
			t.Errorf("want rsa-sha1 and sha1 in both signatures:\n%s", r.xml)
		}
		r.accepts(t, nil)
		r.rejects(t, func(sp *saml.ServiceProvider) { sp.RejectSHA1Signatures = true }, "sha1")
	},
	FaultXSLTTransform: func(t *testing.T, r *faultRun) {
		if n := len(r.find(t, "//ds:Transform[@Algorithm='"+algXSLT+"']")); n != 2 {
			t.Errorf("%d XSLT transforms, want 2", n)
		}
		r.rejects(t, nil, "Unknown Transform Algorithm")
	},
	FaultExpired: func(t *testing.T, r *faultRun) {
		if r.attr(t, "saml2:Assertion/saml2:Conditions", "NotOnOrAfter") != timestamp(testNow.Add(-Window)) ||
			r.attr(t, "//saml2:SubjectConfirmationData", "NotOnOrAfter") != timestamp(testNow.Add(-Window)) ||
			r.attr(t, "saml2:Assertion", "IssueInstant") != timestamp(testNow) {
			t.Errorf("windows not shifted into the past:\n%s", r.xml)
		}
		r.rejects(t, nil, "is expired")
	},
	FaultNotYetValid: func(t *testing.T, r *faultRun) {
		if r.attr(t, "saml2:Assertion/saml2:Conditions", "NotBefore") != timestamp(testNow.Add(2*Window)) {
			t.Errorf("NotBefore not in the future:\n%s", r.xml)
		}
		r.rejects(t, nil, "Conditions is not yet valid")
	},
	FaultStaleIssueInstant: func(t *testing.T, r *faultRun) {
		old := timestamp(testNow.Add(-2 * Window))
		if r.attr(t, ".", "IssueInstant") != old || r.attr(t, "saml2:Assertion", "IssueInstant") != old ||
			r.attr(t, "saml2:Assertion/saml2:Conditions", "NotOnOrAfter") != timestamp(testNow.Add(Window)) {
			t.Errorf("IssueInstant not stale, or Conditions changed:\n%s", r.xml)
		}
		r.rejects(t, nil, "IssueInstant expired")
	},
	FaultWrongAudience: func(t *testing.T, r *faultRun) {
		if got := r.find(t, "//saml2:Audience")[0].Text(); got != OtherAudience {
			t.Errorf("Audience %q", got)
		}
		r.rejects(t, nil, "AudienceRestriction does not contain")
	},
	FaultNoAudience: func(t *testing.T, r *faultRun) {
		if len(r.find(t, "//saml2:AudienceRestriction")) != 0 || len(r.find(t, "//saml2:Conditions")) != 1 {
			t.Errorf("want Conditions without AudienceRestriction:\n%s", r.xml)
		}
		r.rejects(t, nil, "has no AudienceRestriction")
	},
	FaultWrongRecipient: func(t *testing.T, r *faultRun) {
		if r.attr(t, "//saml2:SubjectConfirmationData", "Recipient") != OtherACS || r.attr(t, ".", "Destination") != testACS {
			t.Errorf("Recipient not changed alone:\n%s", r.xml)
		}
		r.rejects(t, nil, "Recipient is not")
	},
	FaultWrongDestination: func(t *testing.T, r *faultRun) {
		if r.attr(t, ".", "Destination") != OtherACS || r.attr(t, "//saml2:SubjectConfirmationData", "Recipient") != testACS {
			t.Errorf("Destination not changed alone:\n%s", r.xml)
		}
		r.rejects(t, nil, "`Destination` does not match")
	},
	FaultNoDestination: func(t *testing.T, r *faultRun) {
		if r.attr(t, ".", "Destination") != "<absent>" || len(r.find(t, "ds:Signature")) != 0 ||
			len(r.find(t, "saml2:Assertion/ds:Signature")) != 1 {
			t.Errorf("want an unsigned response without Destination, signed assertion:\n%s", r.xml)
		}
		r.accepts(t, nil)
	},
	FaultWrongIssuer: func(t *testing.T, r *faultRun) {
		for _, iss := range r.find(t, "//saml2:Issuer") {
			if iss.Text() != OtherIssuer {
				t.Errorf("Issuer %q", iss.Text())
			}
		}
		r.rejects(t, nil, "Issuer does not match the IDP metadata")
	},
	FaultNoIssuer: func(t *testing.T, r *faultRun) {
		if len(r.find(t, "saml2:Assertion/saml2:Issuer")) != 0 || len(r.find(t, "saml2:Issuer")) != 1 {
			t.Errorf("want a response Issuer and no assertion Issuer:\n%s", r.xml)
		}
		r.rejects(t, nil, "issuer is not")
	},
	FaultWrongInResponseTo: func(t *testing.T, r *faultRun) {
		got, scd := r.attr(t, ".", "InResponseTo"), r.attr(t, "//saml2:SubjectConfirmationData", "InResponseTo")
		if got == r.reqID || got == "<absent>" || scd != got {
			t.Errorf("InResponseTo %q / %q, request %q", got, scd, r.reqID)
		}
		r.rejects(t, nil, "`InResponseTo` does not match")
	},
	FaultUnsolicited: func(t *testing.T, r *faultRun) {
		if bytes.Contains(r.xml, []byte("InResponseTo=")) || bytes.Contains(r.xml, []byte(r.reqID)) {
			t.Errorf("response refers to the request:\n%s", r.xml)
		}
		r.rejects(t, nil, "`InResponseTo` does not match")
		r.accepts(t, func(sp *saml.ServiceProvider) { sp.AllowIDPInitiated = true })
	},
	FaultStatusFailure: func(t *testing.T, r *faultRun) {
		if r.attr(t, "saml2p:Status/saml2p:StatusCode", "Value") != statusResponder || len(r.find(t, "saml2:Assertion/ds:Signature")) != 1 {
			t.Errorf("want Responder status with a signed assertion:\n%s", r.xml)
		}
		_, err := r.parse(nil)
		var bad saml.ErrBadStatus
		if !errors.As(err, &bad) || bad.Status != statusResponder {
			t.Errorf("crewjam error %v, want ErrBadStatus Responder", err)
		}
	},
	FaultNoSubject: func(t *testing.T, r *faultRun) {
		if len(r.find(t, "//saml2:Subject")) != 0 {
			t.Error("Subject present")
		}
		r.rejects(t, nil, "assertion has no Subject")
	},
	FaultNoSubjectConf: func(t *testing.T, r *faultRun) {
		if len(r.find(t, "//saml2:SubjectConfirmation")) != 0 || r.nameID(t, "saml2:Assertion") != "alice@acme.test" {
			t.Errorf("want a Subject with NameID and no SubjectConfirmation:\n%s", r.xml)
		}
		r.rejects(t, nil, "no bearer SubjectConfirmation")
	},
	FaultNoConditions: func(t *testing.T, r *faultRun) {
		if len(r.find(t, "//saml2:Conditions")) != 0 {
			t.Error("Conditions present")
		}
		r.rejects(t, nil, "assertion has no Conditions")
	},
	FaultForeignNameID: func(t *testing.T, r *faultRun) {
		x := r.find(t, "saml2:Assertion/saml2:Subject/x:NameID")
		if len(r.find(t, "//saml2:NameID")) != 0 || len(x) != 1 || x[0].Text() != evil {
			t.Errorf("want only a foreign NameID naming %s:\n%s", evil, r.xml)
		}
		r.rejects(t, nil, "has no BaseID, NameID or EncryptedID")
	},
	FaultCommentNameID: func(t *testing.T, r *faultRun) {
		if !bytes.Contains(r.xml, []byte(">alice@acme.test<!---->"+CommentTail+"</saml2:NameID>")) {
			t.Errorf("NameID without the comment:\n%s", r.xml)
		}
		// The signature still verifies, and a careful SP reads the whole signed value.
		if a := r.accepts(t, nil); a.Subject.NameID.Value != "alice@acme.test"+CommentTail {
			t.Errorf("crewjam read NameID %q", a.Subject.NameID.Value)
		}
	},
	FaultMultipleAssertion: func(t *testing.T, r *faultRun) {
		as := r.find(t, "saml2:Assertion")
		if len(as) != 2 || child(as[0], "Signature") == nil || child(as[1], "Signature") != nil ||
			len(r.find(t, "ds:Signature")) != 0 || r.nameID(t, "saml2:Assertion[2]") != evil {
			t.Errorf("want signed assertion then unsigned evil one in an unsigned response:\n%s", r.xml)
		}
		r.rejects(t, nil, "must contain exactly one Assertion")
	},
	FaultXSW1: func(t *testing.T, r *faultRun) { checkXSW12(t, r, "ds:Signature/saml2p:Response") },
	FaultXSW2: func(t *testing.T, r *faultRun) { checkXSW12(t, r, "saml2p:Response") },
	FaultXSW3: func(t *testing.T, r *faultRun) {
		as := r.find(t, "saml2:Assertion")
		if len(as) != 2 || child(as[0], "Signature") != nil || r.nameID(t, "saml2:Assertion[1]") != evil ||
			as[0].SelectAttrValue("ID", "") == as[1].SelectAttrValue("ID", "") || !signedByRef(as[1]) {
			t.Errorf("want evil unsigned copy (new ID) before the signed assertion:\n%s", r.xml)
		}
		r.rejects(t, nil, "must contain exactly one Assertion")
	},
	FaultXSW4: func(t *testing.T, r *faultRun) {
		as := r.find(t, "saml2:Assertion")
		inner := r.find(t, "saml2:Assertion/saml2:Assertion")
		if len(as) != 1 || child(as[0], "Signature") != nil || r.nameID(t, "saml2:Assertion") != evil ||
			len(inner) != 1 || !signedByRef(inner[0]) || inner[0].Index() != len(as[0].Child)-1 {
			t.Errorf("want evil unsigned assertion wrapping the signed one:\n%s", r.xml)
		}
		r.rejects(t, nil, "signature element not present")
	},
	FaultXSW5: func(t *testing.T, r *faultRun) {
		as := r.find(t, "saml2:Assertion")
		if len(as) != 2 || r.nameID(t, "saml2:Assertion[1]") != evil || child(as[0], "Signature") == nil ||
			child(as[1], "Signature") != nil || r.nameID(t, "saml2:Assertion[2]") != "alice@acme.test" ||
			as[0].SelectAttrValue("ID", "") != as[1].SelectAttrValue("ID", "") {
			t.Errorf("want evil signed-looking assertion then the unsigned original:\n%s", r.xml)
		}
		r.rejects(t, nil, "must contain exactly one Assertion")
	},
	FaultXSW6: func(t *testing.T, r *faultRun) {
		orig := r.find(t, "saml2:Assertion/ds:Signature/saml2:Assertion")
		if r.nameID(t, "saml2:Assertion") != evil || len(orig) != 1 || child(orig[0], "Signature") != nil ||
			orig[0].SelectAttrValue("ID", "") != r.attr(t, "saml2:Assertion", "ID") {
			t.Errorf("want the unsigned original inside the evil assertion's Signature:\n%s", r.xml)
		}
		r.rejects(t, nil, "Signature could not be verified")
	},
	FaultXSW7: func(t *testing.T, r *faultRun) {
		ext := r.find(t, "saml2p:Extensions/saml2:Assertion")
		if len(ext) != 1 || child(ext[0], "Signature") != nil || r.nameID(t, "saml2p:Extensions/saml2:Assertion") != evil ||
			ext[0].SelectAttrValue("ID", "") != r.attr(t, "saml2:Assertion", "ID") || ext[0].Parent().Index() >= r.find(t, "saml2:Assertion")[0].Index() {
			t.Errorf("want Extensions with an evil unsigned copy before the signed assertion:\n%s", r.xml)
		}
		// crewjam uses the signed assertion and never the one in Extensions.
		if a := r.accepts(t, nil); a.Subject.NameID.Value != "alice@acme.test" {
			t.Errorf("crewjam took NameID %q", a.Subject.NameID.Value)
		}
	},
	FaultXSW8: func(t *testing.T, r *faultRun) {
		orig := r.find(t, "saml2:Assertion/ds:Signature/ds:Object/saml2:Assertion")
		if r.nameID(t, "saml2:Assertion") != evil || len(orig) != 1 || child(orig[0], "Signature") != nil {
			t.Errorf("want the unsigned original in ds:Object of the evil assertion's Signature:\n%s", r.xml)
		}
		r.rejects(t, nil, "Signature could not be verified")
	},
	FaultXXE: func(t *testing.T, r *faultRun) {
		probe := r.env.base + "/app/" + testExtKey + "/sso/saml/probe"
		if !bytes.Contains(r.xml, []byte(`<!DOCTYPE saml2p:Response [<!ENTITY xxe SYSTEM "`+probe+`">]>`)) ||
			!bytes.Contains(r.xml, []byte(">alice@acme.test&xxe;</saml2:NameID>")) {
			t.Errorf("no external entity:\n%.600s", r.xml)
		}
		r.rejects(t, nil, "invalid character entity &xxe;")
		if n := r.env.idp.ProbeHits(testExtKey); n != 0 {
			t.Errorf("probe hit %d times before anyone fetched it", n)
		}
		get(t, browser(t), probe)
		if n := r.env.idp.ProbeHits(testExtKey); n != 1 {
			t.Errorf("probe hits %d after one fetch", n)
		}
	},
	FaultEntityExpansion: func(t *testing.T, r *faultRun) {
		if !bytes.Contains(r.xml, []byte(`<!ENTITY lol5 "&lol4;&lol4;`)) || !bytes.Contains(r.xml, []byte("alice@acme.test&lol5;<")) {
			t.Errorf("no entity bomb:\n%.900s", r.xml)
		}
		r.rejects(t, nil, "invalid character entity &lol5;")
	},
	FaultMalformed: func(t *testing.T, r *faultRun) {
		if r.doc != nil {
			t.Fatal("response is well-formed")
		}
		if err := etree.NewDocument().ReadFromBytes(append(bytes.Clone(r.xml), "</saml2p:Response>"...)); err != nil {
			t.Errorf("not just the closing tag missing: %v", err)
		}
		r.rejects(t, nil, "invalid XML format")
	},
	FaultBadBase64: func(t *testing.T, r *faultRun) {
		if r.xml != nil || !strings.HasSuffix(r.value, "*") {
			t.Errorf("SAMLResponse decodes or does not end in *: %q", r.value[len(r.value)-8:])
		}
	},
	FaultOversized: func(t *testing.T, r *faultRun) {
		if len(r.xml) <= 10<<20 {
			t.Fatalf("response is %d bytes", len(r.xml))
		}
		r.accepts(t, nil) // the XML itself is valid ...
		req := httptest.NewRequest(http.MethodPost, testACS, strings.NewReader(url.Values{"SAMLResponse": {r.value}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := r.sp.ParseResponse(req, []string{r.reqID}); err == nil { // ... but too large to post
			t.Error("crewjam read an 11 MiB form")
		}
	},
}

// checkXSW12 checks XSW1/XSW2: the evil outer Response (new ID, evil NameID) and the unsigned clone with
// the signed ID at clonePath.
func checkXSW12(t *testing.T, r *faultRun, clonePath string) {
	t.Helper()
	clones := r.find(t, clonePath)
	ref := strings.TrimPrefix(r.attr(t, "ds:Signature/ds:SignedInfo/ds:Reference", "URI"), "#")
	if len(clones) != 1 || clones[0].SelectAttrValue("ID", "") != ref || r.attr(t, ".", "ID") == ref ||
		child(clones[0], "Signature") != nil || r.nameID(t, "saml2:Assertion") != evil ||
		r.nameID(t, clonePath+"/saml2:Assertion") != "alice@acme.test" || len(r.find(t, "saml2:Assertion/ds:Signature")) != 0 {
		t.Errorf("want evil outer response and the signed original at %s:\n%s", clonePath, r.xml)
	}
	if clonePath == "saml2p:Response" && clones[0].Index()+1 != r.find(t, "ds:Signature")[0].Index() {
		t.Error("clone is not just before the Signature")
	}
	r.rejects(t, nil, "Missing signature referencing the top-level element")
}

// signedByRef reports whether a carries a Signature referencing its own ID.
func signedByRef(a *etree.Element) bool {
	ref := a.FindElement("ds:Signature/ds:SignedInfo/ds:Reference")
	return ref != nil && ref.SelectAttrValue("URI", "") == "#"+a.SelectAttrValue("ID", "")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.signedInBrowser(t)
	for _, f := range Faults() {
		if f.Name == FaultReplay {
			continue // TestReplay
		}
		t.Run(f.Name, func(t *testing.T) {
			check, ok := faultChecks[f.Name]
			if !ok {
				t.Fatalf("no check for fault %s", f.Name)
			}
			e.setFaults(t, f.Name)
			check(t, e.respondWithFault(t, c))
		})
	}
}

func (e *env) respondWithFault(t *testing.T, c *http.Client) *faultRun {
	t.Helper()
	sp := e.sp(t) // fetched after the fault is set (saml-cert-expired changes the metadata)
	req := e.authnRequest(t, sp)
	_, fields := form(t, e.send(t, c, sp, req, "redirect", ""))
	r := &faultRun{env: e, sp: sp, reqID: req.ID, value: fields.Get("SAMLResponse"), browser: c}
	if b, err := decode(r.value); err == nil {
		r.xml = b
		if doc := etree.NewDocument(); doc.ReadFromBytes(b) == nil {
			r.doc = doc
		}
	}
	return r
}

// replayCache is an in-memory crewjam AssertionReplayCache.
type replayCache struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *replayCache) Consume(id string, _ time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[id] {
		return saml.ErrAssertionReplayed
	}
	c.seen[id] = true
	return nil
}

func TestReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.signedInBrowser(t)
	// The original is IdP-initiated, so the replayed assertion carries no InResponseTo of its own and
	// only a replay cache can tell the second use from the first.
	e.setFaults(t, FaultUnsolicited)
	first := e.respondWithFault(t, c)
	e.setFaults(t, FaultReplay)
	second := e.respondWithFault(t, c)

	assertion := func(r *faultRun) []byte {
		i, j := bytes.Index(r.xml, []byte("<saml2:Assertion ")), bytes.Index(r.xml, []byte("</saml2:Assertion>"))
		return r.xml[i : j+len("</saml2:Assertion>")]
	}
	if !bytes.Equal(assertion(first), assertion(second)) {
		t.Errorf("assertions differ:\n%s\n%s", assertion(first), assertion(second))
	}
	if first.attr(t, ".", "ID") == second.attr(t, ".", "ID") || second.attr(t, ".", "InResponseTo") != second.reqID {
		t.Error("the outer response is not fresh")
	}
	ids := []string{second.reqID}
	idpInitiated := func(sp *saml.ServiceProvider) { sp.AllowIDPInitiated = true }
	for _, r := range []*faultRun{first, second} {
		if _, err := r.parse(idpInitiated, ids...); err != nil {
			t.Fatalf("without a replay cache crewjam rejects: %v", err)
		}
	}
	cache := &replayCache{seen: map[string]bool{}}
	withCache := func(sp *saml.ServiceProvider) { sp.ReplayCache, sp.AllowIDPInitiated = cache, true }
	if _, err := first.parse(withCache, ids...); err != nil {
		t.Fatalf("first use rejected: %v", err)
	}
	if _, err := second.parse(withCache, ids...); !errors.Is(err, saml.ErrAssertionReplayed) {
		t.Errorf("replay: crewjam error %v, want ErrAssertionReplayed", err)
	}
}

func TestFaultCatalogue(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range Faults() {
		if !strings.HasPrefix(f.Name, "saml-") || f.Rule == "" || f.Description == "" || seen[f.Name] || !IsFault(f.Name) {
			t.Errorf("bad catalogue entry %+v", f)
		}
		seen[f.Name] = true
		if _, ok := faultChecks[f.Name]; !ok && f.Name != FaultReplay {
			t.Errorf("fault %s has no test", f.Name)
		}
	}
	if IsFault("oidc-bad-signature") {
		t.Error("IsFault accepts another protocol's fault")
	}
}
