package harness

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/ssoconform/ssoconform/harness/browser"
	"github.com/ssoconform/ssoconform/harness/mailsink"
)

// PasswordSignIn signs in on the app's login page with an email and a password and returns where it
// ended: signed in (the home page's #member-name) or refused (the login page's error, or an error page).
func PasswordSignIn(ctx context.Context, p *browser.Page, appURL, email, password string) (Outcome, error) {
	steps := []func() error{
		func() error { return p.Open(ctx, appURL+"/login") },
		func() error { return p.Fill(ctx, "#email", email) },
		func() error { return p.Fill(ctx, "#password", password) },
		func() error { return p.Click(ctx, "#sign-in") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Outcome{URL: RedactURL(p.URL())}, fmt.Errorf("password sign-in as %s: %w", email, err)
		}
	}
	which, err := p.WaitAny(ctx, "#member-name", "#login .error", "#error")
	if err != nil {
		return Outcome{URL: RedactURL(p.URL())}, fmt.Errorf("password sign-in as %s: %w", email, err)
	}
	out := Outcome{URL: RedactURL(p.URL()), SignedIn: which == "#member-name"}
	text, err := p.Text(ctx, which)
	if err != nil {
		return out, fmt.Errorf("password sign-in as %s: %w", email, err)
	}
	if out.SignedIn {
		out.Name = text
	} else {
		out.Error = text
	}
	return out, nil
}

// OpenOktaSettings walks from ORGANIZATION SETTINGS to the OKTA AUTHENTICATION page the way the product
// documentation says: Organization in the left pane, the "Single sign on (SSO) Authentication" drop-down
// (Okta), Connect. The page must be signed in as an admin.
func OpenOktaSettings(ctx context.Context, p *browser.Page, appURL string) error {
	steps := []func() error{
		func() error { return p.Open(ctx, appURL+"/settings") },
		func() error { return p.Click(ctx, "#nav-organization") },
		func() error { return p.Click(ctx, "#sso-connect") },
		func() error { _, err := p.WaitAny(ctx, "#okta"); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("open the OKTA AUTHENTICATION page: %w", err)
		}
	}
	return nil
}

// OktaForm is what a spec types on the OKTA AUTHENTICATION page. Empty fields are left as they are;
// the checkboxes are clicked (toggled) when their Toggle field is set.
type OktaForm struct {
	OIDC           bool   // select OIDC (else SAML when IdPMetadataURL is set)
	DefaultRole    string // the Default Role drop-down's option (admin, member, viewer)
	ClientID       string
	ClientSecret   string
	MetadataURL    string
	IdPMetadataURL string
	ToggleEnforce  bool
	ToggleSync     bool
}

// SaveOktaSettings fills the OKTA AUTHENTICATION page, clicks Save settings and returns the page's
// notice (saved) or error (refused).
func SaveOktaSettings(ctx context.Context, p *browser.Page, f OktaForm) (saved bool, message string, err error) {
	var steps []func() error
	fill := func(sel, v string) {
		if v != "" {
			steps = append(steps, func() error { return p.Fill(ctx, sel, v) })
		}
	}
	click := func(sel string, on bool) {
		if on {
			steps = append(steps, func() error { return p.Click(ctx, sel) })
		}
	}
	if f.DefaultRole != "" {
		steps = append(steps, func() error { return p.Select(ctx, "#default-role", f.DefaultRole) })
	}
	click("#protocol-oidc", f.OIDC)
	click("#protocol-saml", !f.OIDC && f.IdPMetadataURL != "")
	fill("#client-id", f.ClientID)
	fill("#client-secret", f.ClientSecret)
	fill("#metadata-url", f.MetadataURL)
	fill("#idp-metadata-url", f.IdPMetadataURL)
	click("#enforce", f.ToggleEnforce)
	click("#sync", f.ToggleSync)
	click("#save-settings", true)
	for _, step := range steps {
		if err := step(); err != nil {
			return false, "", fmt.Errorf("save Okta settings: %w", err)
		}
	}
	which, err := p.WaitAny(ctx, "#page-notice", "#page-error")
	if err != nil {
		return false, "", fmt.Errorf("save Okta settings: %w", err)
	}
	message, err = p.Text(ctx, which)
	return which == "#page-notice", message, err
}

var linkPattern = regexp.MustCompile(`https?://[^\s]+/account/link/[A-Za-z0-9_-]+`)

// LinkFromMail waits for an account-linking email to `to` received after `after` and returns its link.
func LinkFromMail(ctx context.Context, sink *mailsink.Sink, to string, after time.Time) (string, error) {
	isTo := mailsink.To(to)
	m, err := sink.Wait(ctx, func(m mailsink.Message) bool {
		return isTo(m) && m.Received.After(after) && linkPattern.MatchString(m.Body)
	})
	if err != nil {
		return "", fmt.Errorf("account-linking mail to %s: %w", to, err)
	}
	return linkPattern.FindString(m.Body), nil
}
