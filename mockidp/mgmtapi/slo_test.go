package mgmtapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/internal/testcert"
)

// TestAppSingleLogoutSettings pins settings.signOn.slo and spCertificate as Okta's apps API shows them for
// a SAML app with single logout: the uploaded certificate comes back as a one-element x5c chain.
func TestAppSingleLogoutSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, cert, certPEM := testcert.SelfSigned(t, "sp.test", time.Now())
	app, err := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "sp", Settings: directory.SAMLSettings{
		SSOURL: "https://sp.test/acs", Audience: "urn:sp.test", SLOURL: "https://sp.test/slo",
		SPCertificate: certPEM}})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.do(http.MethodGet, "/api/v1/apps/"+app.ID, "")
	var got struct {
		Settings struct {
			SignOn struct {
				SLO           map[string]any `json:"slo"`
				SPCertificate struct {
					X5C []string `json:"x5c"`
				} `json:"spCertificate"`
			} `json:"signOn"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(body, &got); err != nil || status != http.StatusOK {
		t.Fatalf("get app: %d %s", status, body)
	}
	so := got.Settings.SignOn
	if so.SLO["enabled"] != true || so.SLO["spIssuer"] != "urn:sp.test" || so.SLO["logoutUrl"] != "https://sp.test/slo" {
		t.Errorf("slo = %v", so.SLO)
	}
	if len(so.SPCertificate.X5C) != 1 || so.SPCertificate.X5C[0] != base64.StdEncoding.EncodeToString(cert.Raw) {
		t.Errorf("spCertificate.x5c = %v", so.SPCertificate.X5C)
	}
}
