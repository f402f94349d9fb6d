package admin_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

func idpMetadata(t *testing.T, entityID string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://idp.test/sso"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
}

// TestSetSSOSAML: the IdP metadata is fetched and checked; any failure says why, saves nothing and keeps
// the previous connection.
func TestSetSSOSAML(t *testing.T) {
	t.Parallel()
	good := idpMetadata(t, "http://www.okta.com/exkGOOD")
	docs := map[string]string{
		"/app/exkGOOD/sso/saml/metadata":  good,
		"/app/exkOTHER/sso/saml/metadata": good, // names another app's entity ID
		"/app/exkBAD/sso/saml/metadata":   "<not-xml",
		"/app/exkNOCERT/sso/saml/metadata": strings.Replace(idpMetadata(t, "http://www.okta.com/exkNOCERT"),
			`use="signing"`, `use="encryption"`, 1),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(d))
	}))
	defer srv.Close()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "refapp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := admin.New(admin.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateOrg(ctx, admin.OrgInput{Name: "acme", Plan: "pro", AdminEmail: "a@acme.test", AdminPassword: "a-long-password-123"}); err != nil {
		t.Fatal(err)
	}
	in := admin.SSOInput{Org: "acme", Protocol: "saml", MetadataURL: srv.URL + "/app/exkGOOD/sso/saml/metadata", DefaultRole: "member"}
	if err := a.SetSSO(ctx, in); err != nil {
		t.Fatalf("SetSSO(good metadata): %v", err)
	}
	tests := []struct{ name, url, wantErr string }{
		{"unreachable", "http://127.0.0.1:1/app/exkX/sso/saml/metadata", "could not reach"},
		{"not found", srv.URL + "/app/exkNONE/sso/saml/metadata", "HTTP 404"},
		{"malformed", srv.URL + "/app/exkBAD/sso/saml/metadata", "not a SAML EntityDescriptor"},
		{"no signing certificate", srv.URL + "/app/exkNOCERT/sso/saml/metadata", "no usable signing certificate"},
		{"entity ID mismatch", srv.URL + "/app/exkOTHER/sso/saml/metadata", "entity ID"},
	}
	for _, tt := range tests {
		bad := in
		bad.MetadataURL = tt.url
		err := a.SetSSO(ctx, bad)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "nothing was saved") {
			t.Errorf("%s: SetSSO err = %v, want one saying %q and nothing was saved", tt.name, err, tt.wantErr)
		}
	}
	v, err := a.ShowSSO(ctx, "acme", "http://app.test")
	if err != nil {
		t.Fatal(err)
	}
	if v.Protocol != "saml" || v.Issuer != "http://www.okta.com/exkGOOD" || v.MetadataURL != in.MetadataURL || !v.HasIdPMetadata {
		t.Errorf("after refused saves the connection is %+v, want the first one kept", v)
	}
	if v.ACSURL != "http://app.test/sso/saml/acs" || v.SPEntityID != "http://app.test/sso/saml/metadata" {
		t.Errorf("ShowSSO SP URLs = %q, %q", v.ACSURL, v.SPEntityID)
	}
}
