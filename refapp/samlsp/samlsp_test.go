package samlsp_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/refapp/samlsp"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

const (
	base     = "http://app.test"
	idpID    = "http://www.okta.com/exkTEST"
	idpSSO   = "http://idp.test/app/exkTEST/sso/saml"
	nameID   = "alice@acme.test"
	orgID    = "org1"
	otherAud = "urn:other-sp"
)

type idp struct {
	key  *rsa.PrivateKey
	cert []byte
}

func newIdP(t *testing.T) idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour * 24)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return idp{key: key, cert: der}
}

func (p idp) metadata() string {
	return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + idpID + `">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(p.cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + idpSSO + `"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
}

// resp describes the Response the test IdP builds; the zero value of each field means "as a good IdP".
type resp struct {
	inResponseTo, audience, recipient, issuer string
	noAudience, unsigned, sha1, noSubjConf    bool
	issueInstant                              time.Time
	assertionID                               string
	raw                                       func([]byte) []byte
}

func (p idp) response(t *testing.T, reqID string, r resp) string {
	t.Helper()
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	issue := ts(0)
	if !r.issueInstant.IsZero() {
		issue = r.issueInstant.UTC().Format(time.RFC3339)
	}
	irt := or(r.inResponseTo, reqID)
	aud := `<saml:AudienceRestriction><saml:Audience>` + or(r.audience, base+samlsp.MetadataPath) + `</saml:Audience></saml:AudienceRestriction>`
	if r.noAudience {
		aud = ""
	}
	conf := `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="` + irt +
		`" NotOnOrAfter="` + ts(5*time.Minute) + `" Recipient="` + or(r.recipient, base+samlsp.ACSPath) + `"/></saml:SubjectConfirmation>`
	if r.noSubjConf {
		conf = ""
	}
	asn := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + or(r.assertionID, "a"+randHex(t)) +
		`" IssueInstant="` + issue + `" Version="2.0"><saml:Issuer>` + or(r.issuer, idpID) + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">` + nameID + `</saml:NameID>` + conf + `</saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(-time.Minute) + `" NotOnOrAfter="` + ts(5*time.Minute) + `">` + aud + `</saml:Conditions>` +
		`<saml:AuthnStatement AuthnInstant="` + issue + `" SessionIndex="s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
		`<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>` + nameID + `</saml:AttributeValue></saml:Attribute>` +
		`<saml:Attribute Name="displayName"><saml:AttributeValue>#Alice An` + "`" + `ders¥</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`
	if !r.unsigned {
		asn = p.sign(t, asn, r.sha1)
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r` + randHex(t) +
		`" InResponseTo="` + irt + `" IssueInstant="` + issue + `" Destination="` + base + samlsp.ACSPath + `" Version="2.0">` +
		`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` + or(r.issuer, idpID) + `</saml:Issuer>` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` + asn + `</samlp:Response>`
	b := []byte(doc)
	if r.raw != nil {
		b = r.raw(b)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// sign signs the assertion with an enveloped signature.
func (p idp) sign(t *testing.T, asn string, sha1 bool) string {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(asn); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if sha1 {
		ctx.Hash = crypto.SHA1
		if err := ctx.SetSignatureMethod(dsig.RSASHA1SignatureMethod); err != nil {
			t.Fatal(err)
		}
	}
	signed, err := ctx.SignEnveloped(d.Root())
	if err != nil {
		t.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	s, err := out.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func randHex(t *testing.T) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

type fixture struct {
	sp  *samlsp.SP
	st  store.Store
	idp idp
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateOrg(ctx, store.Org{ID: orgID, Name: "acme", Plan: store.PlanPro, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	sp, err := samlsp.New(samlsp.Config{BaseURL: base, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{sp: sp, st: st, idp: newIdP(t)}
}

// start begins a sign-in and returns the RelayState, the AuthnRequest ID and the binding cookie.
func (f fixture) start(t *testing.T) (relay, reqID string, cookie *http.Cookie) {
	t.Helper()
	w := httptest.NewRecorder()
	to, err := f.sp.Start(context.Background(), w, orgID, "", samlsp.Connection{IdPMetadata: f.idp.metadata()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	u, err := url.Parse(to)
	if err != nil || !strings.HasPrefix(to, idpSSO+"?") {
		t.Fatalf("Start redirected to %q", to)
	}
	d := redirectedRequest(t, u)
	return u.Query().Get("RelayState"), d.Root().SelectAttrValue("ID", ""), w.Result().Cookies()[0]
}

// redirectedRequest is the SAMLRequest an HTTP-Redirect binding URL carries, inflated and parsed.
func redirectedRequest(t *testing.T, u *url.URL) *etree.Document {
	t.Helper()
	deflated, err := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	xmlReq, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		t.Fatal(err)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(xmlReq); err != nil {
		t.Fatal(err)
	}
	return d
}

func (f fixture) acs(t *testing.T, relay, samlResponse string) (string, error) {
	t.Helper()
	form := url.Values{"SAMLResponse": {samlResponse}}
	if relay != "" {
		form.Set("RelayState", relay)
	}
	r := httptest.NewRequest(http.MethodPost, base+samlsp.ACSPath, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	lookup := func(context.Context, string) (samlsp.Connection, error) {
		return samlsp.Connection{IdPMetadata: f.idp.metadata()}, nil
	}
	return f.sp.ACS(context.Background(), httptest.NewRecorder(), r, lookup)
}

func (f fixture) finish(t *testing.T, next string, cookie *http.Cookie) (samlsp.Identity, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, base+next, nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return f.sp.Finish(context.Background(), httptest.NewRecorder(), r)
}

func TestSignInAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	relay, reqID, cookie := f.start(t)
	next, err := f.acs(t, relay, f.idp.response(t, reqID, resp{}))
	if err != nil {
		t.Fatalf("ACS refused a good response: %v", err)
	}
	id, err := f.finish(t, next, cookie)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Subject != nameID || id.Email != nameID || id.Issuer != idpID || id.OrgID != orgID {
		t.Errorf("identity = %+v", id)
	}
	if _, err := f.finish(t, next, cookie); err == nil {
		t.Error("the handoff was accepted twice")
	}
}

func TestFinishRefusesAnotherBrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	relay, reqID, _ := f.start(t)
	next, err := f.acs(t, relay, f.idp.response(t, reqID, resp{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.finish(t, next, &http.Cookie{Name: "refapp_saml_attempt", Value: "other"}); err == nil {
		t.Error("Finish accepted a browser without the binding cookie")
	}
}

func TestACSRefusesDefects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		r     resp
		relay func(string) string
	}{
		{"unsigned", resp{unsigned: true}, nil},
		{"sha1", resp{sha1: true}, nil},
		{"wrong audience", resp{audience: otherAud}, nil},
		{"no audience restriction", resp{noAudience: true}, nil},
		{"wrong recipient", resp{recipient: "https://other.test/acs"}, nil},
		{"no subject confirmation", resp{noSubjConf: true}, nil},
		{"wrong in-response-to", resp{inResponseTo: "id-not-ours"}, nil},
		{"wrong issuer", resp{issuer: "http://www.okta.com/exkOTHER"}, nil},
		{"stale issue instant", resp{issueInstant: time.Now().Add(-10 * time.Minute)}, nil},
		{"doctype", resp{raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>"), []byte(`?><!DOCTYPE r [<!ENTITY x "y">]>`), 1)
		}}, nil},
		{"tampered", resp{raw: func(b []byte) []byte { return bytes.Replace(b, []byte(nameID+"<"), []byte("eve@acme.test<"), 1) }}, nil},
		{"malformed", resp{raw: func(b []byte) []byte { return b[:len(b)-5] }}, nil},
		{"comment in NameID", resp{raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte("@acme.test<"), []byte("@acme.test<!---->.evil<"), 1)
		}}, nil},
		{"second assertion in Extensions", resp{raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte("<samlp:Status>"), []byte(`<samlp:Extensions><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="evil"/></samlp:Extensions><samlp:Status>`), 1)
		}}, nil},
		{"unsolicited (no RelayState)", resp{}, func(string) string { return "" }},
		{"unknown RelayState", resp{}, func(string) string { return "not-a-relay-state" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			relay, reqID, _ := f.start(t)
			if tt.relay != nil {
				relay = tt.relay(relay)
			}
			if next, err := f.acs(t, relay, f.idp.response(t, reqID, tt.r)); err == nil {
				t.Errorf("ACS accepted a response with defect %q (next %s)", tt.name, next)
			}
		})
	}
}

func TestACSRefusesBadBase64AndOversize(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	relay, _, _ := f.start(t)
	if _, err := f.acs(t, relay, "not base64 *"); err == nil {
		t.Error("ACS accepted bad base64")
	}
	relay, _, _ = f.start(t)
	if _, err := f.acs(t, relay, strings.Repeat("A", 300<<10)); err == nil {
		t.Error("ACS accepted an oversized body")
	}
}

func TestACSRefusesReplayedAssertion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	relay, reqID, _ := f.start(t)
	if _, err := f.acs(t, relay, f.idp.response(t, reqID, resp{assertionID: "a-replayed"})); err != nil {
		t.Fatalf("first response refused: %v", err)
	}
	relay, reqID, _ = f.start(t)
	_, err := f.acs(t, relay, f.idp.response(t, reqID, resp{assertionID: "a-replayed"}))
	if err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("replayed assertion ID: err = %v, want a replay refusal", err)
	}
}

func TestParseIdPMetadata(t *testing.T) {
	t.Parallel()
	good := newIdP(t).metadata()
	tests := []struct {
		name, doc, wantErr string
	}{
		{"ok", good, ""},
		{"doctype", strings.Replace(good, "?>", `?><!DOCTYPE x [<!ENTITY e SYSTEM "http://x/">]>`, 1), "DOCTYPE"},
		{"malformed", good[:len(good)-10], "EntityDescriptor"},
		{"no certificate", strings.Replace(good, `use="signing"`, `use="encryption"`, 1), "signing certificate"},
		{"no redirect sso", strings.Replace(good, "HTTP-Redirect", "HTTP-POST", 1), "HTTP-Redirect"},
	}
	for _, tt := range tests {
		_, err := samlsp.ParseIdPMetadata([]byte(tt.doc))
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}
