package directory

import (
	"errors"
	"slices"
	"testing"
)

func TestRedirectURIsRefused(t *testing.T) {
	t.Parallel()
	org := newTestOrg(t)
	good := []string{"https://app.test/cb"}
	app, err := org.CreateOIDCApp(OIDCAppInput{Label: "web", RedirectURIs: good})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		redirect, logout []string
		field, sentence  string
	}{
		{"none", nil, nil, FieldRedirectURIs, "At least one sign-in redirect URI is required."},
		{"relative", []string{"/cb"}, nil, FieldRedirectURIs, `"/cb" is not an absolute http(s) URL.`},
		{"other scheme", []string{"ftp://app.test/cb"}, nil, FieldRedirectURIs, `"ftp://app.test/cb" is not an absolute http(s) URL.`},
		{"no host", []string{"https:///cb"}, nil, FieldRedirectURIs, `"https:///cb" is not an absolute http(s) URL.`},
		{"fragment", []string{"https://app.test/cb#x"}, nil, FieldRedirectURIs,
			`"https://app.test/cb#x" has a fragment (#...), which a redirect or single sign-on URL must not have.`},
		{"bad sign-out", good, []string{"not a url"}, FieldPostLogoutURIs, `"not a url" is not an absolute http(s) URL.`},
	}
	for _, tt := range tests {
		err := org.SetRedirectURIs(app.ID, tt.redirect, tt.logout)
		var fe FieldErrors
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s: err = %v, want FieldErrors wrapping ErrInvalid", tt.name, err)
		}
		if got := fe.Sentence(tt.field); got != tt.sentence || len(fe) != 1 {
			t.Errorf("%s: %s = %q (all: %v), want %q", tt.name, tt.field, got, fe, tt.sentence)
		}
		if got, _ := org.App(app.ID); !slices.Equal(got.RedirectURIs, good) || got.PostLogoutRedirectURIs != nil {
			t.Errorf("%s: a refused change was stored: %+v", tt.name, got)
		}
	}
	if _, err := org.CreateOIDCApp(OIDCAppInput{Label: "bad", RedirectURIs: []string{"cb"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("CreateOIDCApp with a relative redirect URI: err = %v", err)
	}
	if err := org.SetRedirectURIs(app.ID, []string{"http://127.0.0.1:8081/cb"}, []string{"https://app.test/bye"}); err != nil {
		t.Errorf("good URIs refused: %v", err)
	}
}

func TestSAMLURLsRefused(t *testing.T) {
	t.Parallel()
	org := newTestOrg(t)
	app, err := org.CreateSAMLApp(SAMLAppInput{Label: "sp", Settings: SAMLSettings{SSOURL: "https://sp.test/acs",
		Audience: "urn:sp.test"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.UpdateApp(app.ID, func(a *App) error {
		a.SAML.SSOURL, a.SAML.Audience = "sp.test/acs", "sp.test"
		return nil
	})
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe) != 2 {
		t.Fatalf("err = %v, want two field errors", err)
	}
	if got := fe.Sentence(FieldSSOURL); got != `"sp.test/acs" is not an absolute http(s) URL.` {
		t.Errorf("ssoAcsUrl: %q", got)
	}
	if got := fe.Sentence(FieldAudience); got != `"sp.test" is not an absolute URI (for example https://app.example.com/saml or urn:example:app).` {
		t.Errorf("audience: %q", got)
	}
	if got, _ := org.App(app.ID); got.SAML.SSOURL != "https://sp.test/acs" {
		t.Errorf("a refused change was stored: %+v", got.SAML)
	}
	_, err = org.CreateSAMLApp(SAMLAppInput{Label: "x", Settings: SAMLSettings{SSOURL: "https://sp.test/acs"}})
	if !errors.As(err, &fe) || fe.Sentence(FieldAudience) == "" {
		t.Errorf("CreateSAMLApp without an audience: err = %v", err)
	}
	if _, err := org.UpdateApp(app.ID, func(a *App) error {
		a.SAML.SSOURL, a.SAML.Audience = "http://localhost:8081/acs", "https://sp.test/metadata"
		return nil
	}); err != nil {
		t.Errorf("good settings refused: %v", err)
	}
}
