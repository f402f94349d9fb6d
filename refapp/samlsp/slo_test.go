package samlsp_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/ssoconform/ssoconform/refapp/samlsp"
)

const idpSLO = "http://idp.test/app/exkTEST/slo/saml"

// metadataWithSLO is the test IdP's metadata with single logout enabled, as Okta publishes it.
func (p idp) metadataWithSLO() string {
	return strings.Replace(p.metadata(), `<md:SingleSignOnService`,
		`<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="`+idpSLO+`"/>`+
			`<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="`+idpSLO+`"/>`+
			`<md:SingleSignOnService`, 1)
}

// logoutResponse is the IdP's signed answer to the request reqID, posted to the SP's SLO URL.
func (p idp) logoutResponse(t *testing.T, reqID string, signed bool) string {
	t.Helper()
	doc := `<saml2p:LogoutResponse xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="` + base + samlsp.SLOPath +
		`" ID="lr` + randHex(t) + `" InResponseTo="` + reqID + `" IssueInstant="` + time.Now().UTC().Format(time.RFC3339) +
		`" Version="2.0"><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">` + idpID + `</saml2:Issuer>` +
		`<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status></saml2p:LogoutResponse>`
	if signed {
		doc = p.sign(t, doc, false)
	}
	return base64.StdEncoding.EncodeToString([]byte(doc))
}

// logout signs out alice and returns the redirect URL's query (raw and parsed) and the request's ID.
func (f fixture) logout(t *testing.T) (raw string, q url.Values, reqID string) {
	t.Helper()
	to, err := f.sp.Logout(context.Background(), orgID, nameID, samlsp.Connection{IdPMetadata: f.idp.metadataWithSLO()})
	if err != nil || !strings.HasPrefix(to, idpSLO+"?") {
		t.Fatalf("Logout = %q, %v; want the IdP's HTTP-Redirect SingleLogoutService", to, err)
	}
	u, _ := url.Parse(to)
	d := redirectedRequest(t, u)
	if d.Root().Tag != "LogoutRequest" || d.Root().FindElement("./NameID").Text() != nameID {
		xmlReq, _ := d.WriteToString()
		t.Errorf("request = %s, want a LogoutRequest for %s", xmlReq, nameID)
	}
	return u.RawQuery, u.Query(), d.Root().SelectAttrValue("ID", "")
}

func (f fixture) sloAnswer(t *testing.T, relay, samlResponse string) error {
	t.Helper()
	form := url.Values{"SAMLResponse": {samlResponse}, "RelayState": {relay}}
	r := httptest.NewRequest(http.MethodPost, base+samlsp.SLOPath, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	lookup := func(context.Context, string) (samlsp.Connection, error) {
		return samlsp.Connection{IdPMetadata: f.idp.metadataWithSLO()}, nil
	}
	return f.sp.LogoutResponse(context.Background(), httptest.NewRecorder(), r, lookup)
}

// TestLogoutRequestSignedWithTheSPKey: the query signature verifies with the certificate `refapp sso
// show` prints (what Okta checks), over RSA-SHA256.
func TestLogoutRequestSignedWithTheSPKey(t *testing.T) {
	f := newFixture(t)
	raw, q, _ := f.logout(t)
	if got := q.Get("SigAlg"); got != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Errorf("SigAlg = %q, want rsa-sha256", got)
	}
	certPEM, err := samlsp.SigningCertificate(context.Background(), f.st, base+samlsp.MetadataPath, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(certPEM))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, _ := strings.Cut(raw, "&Signature=")
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("the LogoutRequest's signature does not verify with the SP certificate: %v", err)
	}
}

func TestLogoutResponseAccepted(t *testing.T) {
	f := newFixture(t)
	_, q, reqID := f.logout(t)
	if err := f.sloAnswer(t, q.Get("RelayState"), f.idp.logoutResponse(t, reqID, true)); err != nil {
		t.Fatalf("a good LogoutResponse was refused: %v", err)
	}
	if err := f.sloAnswer(t, q.Get("RelayState"), f.idp.logoutResponse(t, reqID, true)); err == nil ||
		!strings.Contains(err.Error(), "already used") {
		t.Errorf("the same answer twice: err = %v, want already used", err)
	}
}

func TestLogoutResponseRefusesDefects(t *testing.T) {
	for name, answer := range map[string]func(f fixture, t *testing.T, reqID string) string{
		"another request's": func(f fixture, t *testing.T, _ string) string { return f.idp.logoutResponse(t, "id-other", true) },
		"unsigned":          func(f fixture, t *testing.T, reqID string) string { return f.idp.logoutResponse(t, reqID, false) },
		"signed by another IdP": func(_ fixture, t *testing.T, reqID string) string {
			return newIdP(t).logoutResponse(t, reqID, true)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			_, q, reqID := f.logout(t)
			if err := f.sloAnswer(t, q.Get("RelayState"), answer(f, t, reqID)); err == nil ||
				!strings.Contains(err.Error(), "could not be verified") {
				t.Errorf("err = %v, want the answer refused as unverified", err)
			}
		})
	}
	f := newFixture(t)
	_, _, reqID := f.logout(t)
	if err := f.sloAnswer(t, "not-ours", f.idp.logoutResponse(t, reqID, true)); err == nil ||
		!strings.Contains(err.Error(), "not belong to a sign-out started here") {
		t.Errorf("unknown RelayState: err = %v", err)
	}
}

// TestLogoutLocalOnlyWithoutSLO: an IdP without a single logout service means a local sign-out.
func TestLogoutLocalOnlyWithoutSLO(t *testing.T) {
	f := newFixture(t)
	to, err := f.sp.Logout(context.Background(), orgID, nameID, samlsp.Connection{IdPMetadata: f.idp.metadata()})
	if err != nil || to != "" {
		t.Errorf("Logout = %q, %v; want no IdP round trip", to, err)
	}
}

// TestMetadataCarriesSLOAndSigningKey: the SP metadata lists the SLO URL and the signing certificate,
// and no encryption key (Okta is never asked to encrypt).
func TestMetadataCarriesSLOAndSigningKey(t *testing.T) {
	f := newFixture(t)
	md, err := f.sp.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(md); err != nil {
		t.Fatal(err)
	}
	sp := d.FindElement("//SPSSODescriptor")
	if slo := sp.FindElement("./SingleLogoutService"); slo == nil || slo.SelectAttrValue("Location", "") != base+samlsp.SLOPath {
		t.Errorf("metadata has no SingleLogoutService at %s:\n%s", base+samlsp.SLOPath, md)
	}
	var uses []string
	for _, kd := range sp.FindElements("./KeyDescriptor") {
		uses = append(uses, kd.SelectAttrValue("use", ""))
	}
	if strings.Join(uses, ",") != "signing" {
		t.Errorf("key descriptors %v, want one for signing", uses)
	}
}
