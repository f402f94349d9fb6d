package console_test

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/internal/testcert"
)

func TestSettingsFormSavesRedirectURIs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn()
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://old.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.get("/admin/apps/" + app.ID)
	if !strings.Contains(body, `id="settings-form"`) || !strings.Contains(body, "http://old.test/cb</textarea>") {
		t.Fatal("the General tab has no edit form with the current redirect URI")
	}
	status, body := e.post("/admin/apps/"+app.ID+"/settings", url.Values{
		"redirectUris": {"https://new.test/cb\n\nhttp://127.0.0.1:9/cb\n"}, "postLogoutRedirectUris": {"https://new.test/bye"}})
	if status != http.StatusOK || !strings.Contains(body, "Settings saved.") {
		t.Fatalf("save: %d", status)
	}
	got, _ := e.dir.App(app.ID)
	if diff := cmp.Diff([]string{"https://new.test/cb", "http://127.0.0.1:9/cb"}, got.RedirectURIs); diff != "" {
		t.Errorf("redirect URIs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://new.test/bye"}, got.PostLogoutRedirectURIs); diff != "" {
		t.Errorf("sign-out URIs (-want +got):\n%s", diff)
	}
}

func TestSettingsFormRefusesBadRedirectURIs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn()
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://old.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, redirect, logout, field, text string }{
		{"relative", "/cb", "", "redirectUris-error", "not an absolute http(s) URL"},
		{"other scheme", "ftp://x.test/cb", "", "redirectUris-error", "not an absolute http(s) URL"},
		{"fragment", "https://x.test/cb#frag", "", "redirectUris-error", "fragment"},
		{"none", "  \n", "", "redirectUris-error", "At least one"},
		{"bad sign-out URI", "https://x.test/cb", "javascript:alert(1)", "postLogoutRedirectUris-error", "not an absolute"},
	}
	for _, c := range cases {
		status, body := e.post("/admin/apps/"+app.ID+"/settings", url.Values{"redirectUris": {c.redirect}, "postLogoutRedirectUris": {c.logout}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="`+c.field+`"`) || !strings.Contains(body, c.text) {
			t.Errorf("%s: status %d, want 400 with %s saying %q", c.name, status, c.field, c.text)
		}
		// The sentence is the directory's, word for word, as the Go API gives it.
		goErr := e.dir.SetRedirectURIs(app.ID, strings.Fields(c.redirect), strings.Fields(c.logout))
		var fe directory.FieldErrors
		if !errors.As(goErr, &fe) || len(fe) != 1 || !strings.Contains(body, `id="`+c.field+`">`+html.EscapeString(fe[0].Sentence)+"<") {
			t.Errorf("%s: the form does not show the directory's sentence %v", c.name, goErr)
		}
		if !strings.Contains(body, "The settings were not saved") {
			t.Errorf("%s: no error banner", c.name)
		}
		if got, _ := e.dir.App(app.ID); !cmp.Equal(got.RedirectURIs, []string{"http://old.test/cb"}) {
			t.Fatalf("%s: a refused form changed the app: %v", c.name, got.RedirectURIs)
		}
	}
}

func samlApp(t *testing.T, e *env) directory.App {
	t.Helper()
	app, err := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "samlapp", Settings: directory.SAMLSettings{
		SSOURL: "http://old.test/acs", Audience: "http://old.test/sp",
		Attributes: []directory.SAMLAttribute{{Name: "email", Value: "email"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestSettingsFormSavesSAMLSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn()
	app := samlApp(t, e)
	_, _, certPEM := testcert.SelfSigned(t, "sp.test", time.Now())
	status, body := e.post("/admin/apps/"+app.ID+"/settings", url.Values{"ssoUrl": {"https://new.test/saml/acs"},
		"audience": {"urn:new:sp"}, "nameIdFormat": {directory.NameIDPersistent},
		"attributes": {"mail = user.email\nfirst = firstName (basic)\n"},
		"sloUrl":     {"https://new.test/saml/slo"}, "spCertificate": {certPEM}})
	if status != http.StatusOK || !strings.Contains(body, "Settings saved.") {
		t.Fatalf("save: %d", status)
	}
	got, _ := e.dir.App(app.ID)
	s := got.SAML
	if s.SSOURL != "https://new.test/saml/acs" || s.Recipient != s.SSOURL || s.Destination != s.SSOURL ||
		s.Audience != "urn:new:sp" || s.NameIDFormat != directory.NameIDPersistent ||
		s.SLOURL != "https://new.test/saml/slo" || s.SPCertificate != strings.TrimSpace(certPEM) {
		t.Errorf("saml settings = %+v", s)
	}
	want := []directory.SAMLAttribute{{Name: "mail", Value: "email"}, {Name: "first", NameFormat: "basic", Value: "firstName"}}
	if diff := cmp.Diff(want, s.Attributes); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if _, page := e.get("/admin/apps/" + app.ID + "?tab=signon"); !strings.Contains(page, "<code>https://new.test/saml/slo</code>") ||
		!strings.Contains(page, "requests verified with the uploaded signature certificate") {
		t.Errorf("the Sign On tab does not show single logout on with the certificate:\n%s", page)
	}
	if _, page := e.get("/admin/apps/" + app.ID + "?tab=general"); !strings.Contains(html.UnescapeString(page), strings.TrimSpace(certPEM)) {
		t.Error("the General tab's form does not hold the saved signature certificate")
	}
}

func TestSettingsFormRefusesBadSAMLSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn()
	app := samlApp(t, e)
	good := url.Values{"ssoUrl": {"https://new.test/acs"}, "audience": {"https://new.test/sp"},
		"nameIdFormat": {directory.NameIDEmail}, "attributes": {"email = email"}}
	cases := []struct{ name, key, value, field, text string }{
		{"relative ACS", "ssoUrl", "/acs", "ssoUrl-error", "not an absolute http(s) URL"},
		{"audience not a URI", "audience", "my app", "audience-error", "not an absolute URI"},
		{"NameID format not SAML 2.0", "nameIdFormat", "urn:example:nameid:made-up", "nameIdFormat-error", "is not a NameID format Okta offers"},
		{"attribute without a field", "attributes", "email", "attributes-error", "Name = field"},
		{"attribute of an unknown field", "attributes", "ssn = user.ssn", "attributes-error", "not a profile field"},
		{"duplicate attribute", "attributes", "a = email\na = login", "attributes-error", "already listed"},
		{"relative Single Logout URL", "sloUrl", "/slo", "sloUrl-error", "not an absolute http(s) URL"},
		{"signature certificate not PEM", "spCertificate", "MIIB not a certificate", "spCertificate-error", "not one PEM-encoded X.509 certificate"},
	}
	for _, c := range cases {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(c.key, c.value)
		status, body := e.post("/admin/apps/"+app.ID+"/settings", form)
		if status != http.StatusBadRequest || !strings.Contains(body, `id="`+c.field+`"`) || !strings.Contains(body, c.text) {
			t.Errorf("%s: status %d, want 400 with %s saying %q", c.name, status, c.field, c.text)
		}
		if c.key == "ssoUrl" || c.key == "audience" {
			_, goErr := e.dir.UpdateApp(app.ID, func(a *directory.App) error {
				a.SAML.SSOURL, a.SAML.Audience = form.Get("ssoUrl"), form.Get("audience")
				return nil
			})
			var fe directory.FieldErrors
			if !errors.As(goErr, &fe) || !strings.Contains(body, html.EscapeString(fe[0].Sentence)) {
				t.Errorf("%s: the form does not show the directory's sentence %v", c.name, goErr)
			}
		}
		if got, _ := e.dir.App(app.ID); got.SAML.SSOURL != "http://old.test/acs" {
			t.Fatalf("%s: a refused form changed the app", c.name)
		}
	}
}
