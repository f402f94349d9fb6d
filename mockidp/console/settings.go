package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// The General tab's "Edit" form: an OIDC app's sign-in and sign-out redirect URIs; a SAML app's single
// sign-on URL (ACS), audience, NameID format and attribute statements. The form is checked field by field
// and shown again with the errors beside the fields; a valid form is saved through the directory's own
// app setters (SetRedirectURIs, UpdateApp), the ones the Go API and the fixture loader use, and the
// next authorize request or SAML response sees it.
//
// Where Okta differs from a strict reading: the audience ("Audience URI (SP Entity ID)") may be any
// absolute URI, a urn: included, as Okta accepts; the ACS and redirect URIs must be absolute http(s) URLs
// without a fragment (RFC 6749 3.1.2). The NameID formats offered are Okta's five, all from the SAML 2.0
// list (SAML core 8.3).

// nameIDFormats are the NameID formats the form offers, with Okta's labels.
var nameIDFormats = []struct{ URN, Label string }{
	{directory.NameIDUnspecified, "Unspecified"},
	{directory.NameIDEmail, "EmailAddress"},
	{"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName", "x509SubjectName"},
	{directory.NameIDPersistent, "Persistent"},
	{directory.NameIDTransient, "Transient"},
}

// attributeFields are the user profile fields an attribute statement may carry.
var attributeFields = []string{"email", "firstName", "lastName", "displayName", "login", "userName"}

// settingsForm is the edit form's values as typed (lists one per line) and its errors by field name.
type settingsForm struct {
	RedirectURIs, PostLogoutURIs   string
	SSOURL, Audience, NameIDFormat string
	Attributes                     string
	Errors                         map[string]string
	NameIDFormats                  []struct{ URN, Label string }
	AttributeFields                []string
	saml                           bool
	redirect, postLogout           []string
	attributes                     []directory.SAMLAttribute
}

// settingsFormOf fills the form with the app's current settings.
func settingsFormOf(app directory.App) settingsForm {
	f := settingsForm{NameIDFormats: nameIDFormats, AttributeFields: attributeFields, saml: app.SAML != nil,
		RedirectURIs: strings.Join(app.RedirectURIs, "\n"), PostLogoutURIs: strings.Join(app.PostLogoutRedirectURIs, "\n")}
	if s := app.SAML; s != nil {
		f.SSOURL, f.Audience, f.NameIDFormat = s.SSOURL, s.Audience, s.NameIDFormat
		var lines []string
		for _, a := range s.Attributes {
			line := a.Name + " = " + a.Value
			if a.NameFormat != "" && !strings.EqualFold(a.NameFormat, "unspecified") {
				line += " (" + a.NameFormat + ")"
			}
			lines = append(lines, line)
		}
		f.Attributes = strings.Join(lines, "\n")
	}
	return f
}

// settingsFormFrom reads a posted form and checks it; Errors is empty when it is valid.
func settingsFormFrom(app directory.App, r *http.Request) settingsForm {
	v := r.PostFormValue
	f := settingsForm{NameIDFormats: nameIDFormats, AttributeFields: attributeFields, saml: app.SAML != nil,
		RedirectURIs: v("redirectUris"), PostLogoutURIs: v("postLogoutRedirectUris"), SSOURL: strings.TrimSpace(v("ssoUrl")),
		Audience: strings.TrimSpace(v("audience")), NameIDFormat: v("nameIdFormat"), Attributes: v("attributes"),
		Errors: map[string]string{}}
	if f.saml {
		f.checkSAML()
	} else {
		f.checkOIDC()
	}
	return f
}

func (f *settingsForm) checkOIDC() {
	var err error
	if f.redirect, err = urlLines(f.RedirectURIs); err != nil {
		f.Errors["redirectUris"] = sentence(err)
	} else if len(f.redirect) == 0 {
		f.Errors["redirectUris"] = "At least one sign-in redirect URI is required."
	}
	if f.postLogout, err = urlLines(f.PostLogoutURIs); err != nil {
		f.Errors["postLogoutRedirectUris"] = sentence(err)
	}
}

func (f *settingsForm) checkSAML() {
	if err := checkHTTPURL(f.SSOURL); err != nil {
		f.Errors["ssoUrl"] = sentence(err)
	}
	if u, err := url.Parse(f.Audience); f.Audience == "" || err != nil || u.Scheme == "" || u.Opaque == "" && u.Host == "" {
		f.Errors["audience"] = fmt.Sprintf("%q is not an absolute URI (for example https://app.example.com/saml or urn:example:app).", f.Audience)
	}
	if !slices.ContainsFunc(nameIDFormats, func(n struct{ URN, Label string }) bool { return n.URN == f.NameIDFormat }) {
		f.Errors["nameIdFormat"] = fmt.Sprintf("%q is not a SAML 2.0 NameID format this console offers.", f.NameIDFormat)
	}
	var err error
	if f.attributes, err = attributeLines(f.Attributes); err != nil {
		f.Errors["attributes"] = sentence(err)
	}
}

// sentence is an error as a sentence for the form.
func sentence(err error) string { return err.Error() + "." }

// checkHTTPURL accepts an absolute http or https URL with a host and no fragment.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return fmt.Errorf("a URL is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q has a fragment (#...), which a redirect URI must not have", s)
	}
	return nil
}

// urlLines splits a textarea into URLs, one per line, each an absolute http(s) URL.
func urlLines(s string) ([]string, error) {
	var out []string
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := checkHTTPURL(line); err != nil {
			return nil, err
		}
		if !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out, nil
}

// attributeLines parses attribute statements, one per line: "Name = field" or "Name = field (format)",
// where field is a profile field (optionally written user.field) and format basic, uri or unspecified.
func attributeLines(s string) ([]directory.SAMLAttribute, error) {
	var out []directory.SAMLAttribute
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, rest, ok := strings.Cut(line, "=")
		name, rest = strings.TrimSpace(name), strings.TrimSpace(rest)
		if !ok || name == "" || rest == "" {
			return nil, fmt.Errorf("%q: write each statement as Name = field, e.g. email = user.email", line)
		}
		a := directory.SAMLAttribute{Name: name}
		if i := strings.Index(rest, "("); i >= 0 && strings.HasSuffix(rest, ")") {
			a.NameFormat = strings.TrimSpace(rest[i+1 : len(rest)-1])
			rest = strings.TrimSpace(rest[:i])
			if !slices.Contains([]string{"basic", "uri", "unspecified"}, strings.ToLower(a.NameFormat)) {
				return nil, fmt.Errorf("%q: the name format must be basic, uri or unspecified", line)
			}
		}
		a.Value = strings.TrimPrefix(rest, "user.")
		if !slices.Contains(attributeFields, a.Value) {
			return nil, fmt.Errorf("%q: %q is not a profile field (%s)", line, rest, strings.Join(attributeFields, ", "))
		}
		if slices.ContainsFunc(out, func(o directory.SAMLAttribute) bool { return o.Name == a.Name }) {
			return nil, fmt.Errorf("%q: an attribute named %s is already listed", line, a.Name)
		}
		out = append(out, a)
	}
	return out, nil
}

// saveSettings saves the General tab's edit form, or shows it again with its errors.
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request) {
	app, ok := c.dir.App(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	f := settingsFormFrom(app, r)
	if len(f.Errors) > 0 {
		q := r.URL.Query()
		q.Set("tab", "general")
		q.Set("error", "The settings were not saved: correct the fields marked below.")
		r.URL.RawQuery = q.Encode()
		c.renderApp(w, r, http.StatusBadRequest, app, &f)
		return
	}
	var err error
	if f.saml {
		_, err = c.dir.UpdateApp(app.ID, func(a *directory.App) error {
			s := a.SAML
			if s.Recipient == s.SSOURL {
				s.Recipient = f.SSOURL
			}
			if s.Destination == s.SSOURL {
				s.Destination = f.SSOURL
			}
			s.SSOURL, s.Audience, s.NameIDFormat, s.Attributes = f.SSOURL, f.Audience, f.NameIDFormat, f.attributes
			return nil
		})
	} else {
		err = c.dir.SetRedirectURIs(app.ID, f.redirect, f.postLogout)
	}
	if err == nil {
		c.cfg.Log.Append(r.Context(), syslog.Event{EventType: "application.lifecycle.update",
			DisplayMessage: "Update application", Actor: syslog.Actor{Type: "User", AlternateID: "admin"},
			Outcome: syslog.Success(), Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)}})
	}
	c.back(w, r, "/apps/"+app.ID+"?tab=general", err, "Settings saved.")
}
