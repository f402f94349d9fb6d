package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// The General tab's "Edit" form: an OIDC app's sign-in and sign-out redirect URIs; a SAML app's single
// sign-on URL (ACS), audience, NameID format, attribute statements, and single logout (the SP's Single
// Logout URL and signature certificate; an empty URL turns single logout off). The console checks what only the
// form has (the attribute statement lines); the URLs and the NameID format are checked by the
// directory's app setters (SetRedirectURIs, UpdateApp), the ones the Go API, the management API and the
// fixture loader use, so every surface refuses a bad URL with the same sentence. Either way the form is
// shown again with the errors beside the fields; a saved form is seen by the next authorize request or
// SAML response. The NameID formats offered are Okta's five (directory.NameIDFormats), all from SAML core 8.3.

// attributeFields are the user profile fields an attribute statement may carry.
var attributeFields = []string{"email", "firstName", "lastName", "displayName", "login", "userName"}

// settingsForm is the edit form's values as typed (lists one per line) and its errors by field name.
type settingsForm struct {
	RedirectURIs, PostLogoutURIs   string
	SSOURL, Audience, NameIDFormat string
	SLOURL, SPCertificate          string
	Attributes                     string
	Errors                         map[string]string
	NameIDFormats                  []directory.NameIDFormat
	AttributeFields                []string
	saml                           bool
	redirect, postLogout           []string
	attributes                     []directory.SAMLAttribute
}

// settingsFormOf fills the form with the app's current settings.
func settingsFormOf(app directory.App) settingsForm {
	f := settingsForm{NameIDFormats: directory.NameIDFormats, AttributeFields: attributeFields, saml: app.SAML != nil,
		RedirectURIs: strings.Join(app.RedirectURIs, "\n"), PostLogoutURIs: strings.Join(app.PostLogoutRedirectURIs, "\n")}
	if s := app.SAML; s != nil {
		f.SSOURL, f.Audience, f.NameIDFormat = s.SSOURL, s.Audience, s.NameIDFormat
		f.SLOURL, f.SPCertificate = s.SLOURL, s.SPCertificate
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
	f := settingsForm{NameIDFormats: directory.NameIDFormats, AttributeFields: attributeFields, saml: app.SAML != nil,
		RedirectURIs: v("redirectUris"), PostLogoutURIs: v("postLogoutRedirectUris"), SSOURL: strings.TrimSpace(v("ssoUrl")),
		Audience: strings.TrimSpace(v("audience")), NameIDFormat: v("nameIdFormat"), Attributes: v("attributes"),
		SLOURL: strings.TrimSpace(v("sloUrl")), SPCertificate: strings.TrimSpace(v("spCertificate")),
		Errors: map[string]string{}}
	if f.saml {
		f.checkSAML()
	} else {
		f.checkOIDC()
	}
	return f
}

func (f *settingsForm) checkOIDC() {
	f.redirect, f.postLogout = lines(f.RedirectURIs), lines(f.PostLogoutURIs)
}

// formFields maps the directory's names of app URL settings to the form's fields.
var formFields = map[string]string{
	directory.FieldRedirectURIs: "redirectUris", directory.FieldPostLogoutURIs: "postLogoutRedirectUris",
	directory.FieldSSOURL: "ssoUrl", directory.FieldAudience: "audience",
	directory.FieldRecipient: "ssoUrl", directory.FieldDestination: "ssoUrl",
	directory.FieldNameIDFormat: "nameIdFormat", directory.FieldSLOURL: "sloUrl",
	directory.FieldSPCertificate: "spCertificate",
}

// refused puts the directory's refusals beside the form's fields; it reports whether any was placed
// (a refusal of a field the form does not show goes to the banner instead).
func (f *settingsForm) refused(err error) bool {
	var fe directory.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for _, e := range fe {
		if field, ok := formFields[e.Field]; ok && f.Errors[field] == "" {
			f.Errors[field] = e.Sentence
		}
	}
	return len(f.Errors) > 0
}

func (f *settingsForm) checkSAML() {
	var err error
	if f.attributes, err = attributeLines(f.Attributes); err != nil {
		f.Errors["attributes"] = sentence(err)
	}
}

// sentence is an error as a sentence for the form.
func sentence(err error) string { return err.Error() + "." }

// lines splits a textarea into its distinct non-blank lines, trimmed.
func lines(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" && !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
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
		c.showSettingsErrors(w, r, app, &f)
		return
	}
	err := c.storeSettings(app, &f)
	if f.refused(err) {
		c.showSettingsErrors(w, r, app, &f)
		return
	}
	if err == nil {
		c.cfg.Log.Append(r.Context(), syslog.Event{EventType: "application.lifecycle.update",
			DisplayMessage: "Update application", Actor: syslog.Actor{Type: "User", AlternateID: "admin"},
			Outcome: syslog.Success(), Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)}})
	}
	c.back(w, r, "/apps/"+app.ID+"?tab=general", err, "Settings saved.")
}

// showSettingsErrors shows the General tab's form again with its errors.
func (c *Console) showSettingsErrors(w http.ResponseWriter, r *http.Request, app directory.App, f *settingsForm) {
	q := r.URL.Query()
	q.Set("tab", "general")
	q.Set("error", "The settings were not saved: correct the fields marked below.")
	r.URL.RawQuery = q.Encode()
	c.renderApp(w, r, http.StatusBadRequest, app, f)
}

// storeSettings saves a checked form through the directory, which checks the URLs.
func (c *Console) storeSettings(app directory.App, f *settingsForm) error {
	if !f.saml {
		return c.dir.SetRedirectURIs(app.ID, f.redirect, f.postLogout)
	}
	_, err := c.dir.UpdateApp(app.ID, func(a *directory.App) error {
		s := a.SAML
		if s.Recipient == s.SSOURL {
			s.Recipient = f.SSOURL
		}
		if s.Destination == s.SSOURL {
			s.Destination = f.SSOURL
		}
		s.SSOURL, s.Audience, s.NameIDFormat, s.Attributes = f.SSOURL, f.Audience, f.NameIDFormat, f.attributes
		s.SLOURL, s.SPCertificate = f.SLOURL, f.SPCertificate
		return nil
	})
	return err
}
