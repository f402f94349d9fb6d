package harness

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/harness/browser"
)

// Outcome is where an SSO attempt ended, as the app under test shows it.
type Outcome struct {
	SignedIn bool
	Name     string // the signed-in member's name as the app displays it
	Error    string // the app's error text, when it refused
	URL      string // the page's address at the end, credentials hidden
}

// Driver knows an app's pages: how to start SP-initiated SSO for an organization from its login page,
// and how to read the page it lands on after the IdP. Partners write one for their app; RefAppDriver is
// built in.
type Driver interface {
	StartSSO(ctx context.Context, p *browser.Page, org string) error
	Outcome(ctx context.Context, p *browser.Page) (Outcome, error)
}

// RefAppDriver drives the reference app's pages, the path of the product documentation: login page ->
// "Single Sign On (SSO)" -> organization name -> Continue -> "Sign in with Okta".
type RefAppDriver struct {
	// URL is the app's base URL as the browser reaches it.
	URL string
}

var _ Driver = RefAppDriver{}

// StartSSO walks from the login page to the IdP.
func (d RefAppDriver) StartSSO(ctx context.Context, p *browser.Page, org string) error {
	steps := []func() error{
		func() error { return p.Open(ctx, d.URL+"/login") },
		func() error { return p.Click(ctx, "#sso-link") },
		func() error { return p.Fill(ctx, "#org", org) },
		func() error { return p.Click(ctx, "#continue") },
		func() error { return p.Click(ctx, "#okta-signin") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("start SSO for %q: %w", org, err)
		}
	}
	return nil
}

// Outcome waits for the signed-in page (#member-name) or the error page (#error) and reads it.
func (d RefAppDriver) Outcome(ctx context.Context, p *browser.Page) (Outcome, error) {
	which, err := p.WaitAny(ctx, "#member-name", "#error")
	if err != nil {
		return Outcome{URL: RedactURL(p.URL())}, fmt.Errorf("read SSO outcome: %w", err)
	}
	out := Outcome{URL: RedactURL(p.URL()), SignedIn: which == "#member-name"}
	text, err := p.Text(ctx, which)
	if err != nil {
		return out, fmt.Errorf("read SSO outcome: %w", err)
	}
	if out.SignedIn {
		out.Name = text
	} else {
		out.Error = text
	}
	return out, nil
}

// OktaSignIn fills the mock Okta's sign-in page (the classic widget's fields) and submits it.
func OktaSignIn(ctx context.Context, p *browser.Page, username, password string) error {
	steps := []func() error{
		func() error { return p.Fill(ctx, "#okta-signin-username", username) },
		func() error { return p.Fill(ctx, "#okta-signin-password", password) },
		func() error { return p.Click(ctx, "#okta-signin-submit") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("okta sign-in as %s: %w", username, err)
		}
	}
	return nil
}

// SignInWithOkta is the whole SP-initiated journey: the app's SSO path, the Okta sign-in page, and the
// page the app lands on.
func SignInWithOkta(ctx context.Context, d Driver, p *browser.Page, org, username, password string) (Outcome, error) {
	if err := d.StartSSO(ctx, p, org); err != nil {
		return Outcome{URL: RedactURL(p.URL())}, err
	}
	if err := OktaSignIn(ctx, p, username, password); err != nil {
		return Outcome{URL: RedactURL(p.URL())}, err
	}
	return d.Outcome(ctx, p)
}
