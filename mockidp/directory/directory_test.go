package directory

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var idShape = regexp.MustCompile(`^[0-9A-Za-z]{20}$`)

func TestIDShapes(t *testing.T) {
	t.Parallel()
	org, err := NewOrg("acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := org.CreateUser(UserInput{Login: "alice@acme.test", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	app, err := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, prefix string }{
		{org.ID(), PrefixOrg}, {u.ID, PrefixUser}, {app.ID, PrefixApp},
	} {
		if !idShape.MatchString(tc.id) || tc.id[:3] != tc.prefix {
			t.Errorf("id %q: want %s + 17 chars of [0-9A-Za-z]", tc.id, tc.prefix)
		}
	}
	if app.ClientID != app.ID || len(app.ClientSecret) != ClientSecretLength {
		t.Errorf("app = %+v, want ClientID == ID and a %d-char secret", app, ClientSecretLength)
	}
	if u.Email != u.Login {
		t.Errorf("email = %q, want it to default to the login", u.Email)
	}
}

func TestUsersAndAssignments(t *testing.T) {
	t.Parallel()
	org, err := NewOrg("acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := org.CreateUser(UserInput{Login: "Bob@acme.test", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateUser(UserInput{Login: "bob@ACME.test"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate login: err = %v, want ErrConflict", err)
	}
	tests := []struct {
		login, password string
		ok              bool
	}{
		{"bob@acme.test", "secret", true},
		{"bob@acme.test", "Secret", false},
		{"nobody@acme.test", "secret", false},
	}
	for _, tc := range tests {
		if _, ok := org.Authenticate(tc.login, tc.password); ok != tc.ok {
			t.Errorf("Authenticate(%q, %q) = %v, want %v", tc.login, tc.password, ok, tc.ok)
		}
	}
	app, err := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if org.IsAssigned(app.ID, u.ID) {
		t.Fatal("assigned before Assign")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := org.Assign(app.ID, u.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a, ok := org.Assignment(app.ID, u.ID)
	if !ok || a.UserName != "Bob@acme.test" {
		t.Errorf("assignment = %+v, %v; want user name = email", a, ok)
	}
	if _, err := org.Assign(app.ID, "00unknown"); !errors.Is(err, ErrNotFound) {
		t.Errorf("assign unknown user: err = %v, want ErrNotFound", err)
	}
}

func TestCreateSAMLAppDefaults(t *testing.T) {
	t.Parallel()
	org, err := NewOrg("acme-co", nil)
	if err != nil {
		t.Fatal(err)
	}
	app, err := org.CreateSAMLApp(SAMLAppInput{Label: "Ref App", Settings: SAMLSettings{
		SSOURL: "http://app.test/sso/saml/acs", Audience: "http://app.test/saml/metadata"}})
	if err != nil {
		t.Fatal(err)
	}
	s := app.SAML
	if app.SignOnMode != SignOnModeSAML || !strings.HasPrefix(s.ExternalKey, "exk") || len(s.ExternalKey) != 20 {
		t.Errorf("app = %+v", app)
	}
	if s.AppName != "acmeco_refapp_1" || s.Recipient != s.SSOURL || s.Destination != s.SSOURL ||
		s.NameIDFormat != NameIDUnspecified || !s.ResponseSigned || !s.AssertionSigned {
		t.Errorf("settings = %+v", s)
	}
	got, ok := org.AppByExternalKey(s.ExternalKey)
	if !ok || got.ID != app.ID {
		t.Errorf("AppByExternalKey = %+v, %v", got, ok)
	}
	if _, err := org.CreateSAMLApp(SAMLAppInput{Label: "x", Settings: SAMLSettings{SSOURL: "http://x/acs", Audience: "urn:x"},
		UnsignedResponse: true, UnsignedAssertion: true}); err == nil {
		t.Error("an app signing nothing was accepted")
	}
	for _, bad := range []string{"not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"} {
		_, err := org.CreateSAMLApp(SAMLAppInput{Label: "slo", Settings: SAMLSettings{SSOURL: "http://app.test/acs",
			Audience: "urn:app", SLOURL: "http://app.test/slo", SPCertificate: bad}})
		var fe FieldErrors
		if !errors.As(err, &fe) || fe.Sentence(FieldSPCertificate) == "" || len(fe) != 1 {
			t.Errorf("signature certificate %q at create: err = %v, want a refusal of %s alone", bad, err, FieldSPCertificate)
		}
		_, err = org.UpdateApp(app.ID, func(a *App) error { a.SAML.SPCertificate = bad; return nil })
		if !errors.As(err, &fe) || fe.Sentence(FieldSPCertificate) == "" {
			t.Errorf("signature certificate %q on update: err = %v, want a refusal of %s", bad, err, FieldSPCertificate)
		}
	}
	if err := org.SetFaults(app.ID, []string{"saml-unsigned"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := org.App(app.ID); !got.HasFault("saml-unsigned") || got.HasFault("other") {
		t.Errorf("faults = %v", got.Faults)
	}
}
