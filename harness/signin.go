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
// and how to read the page it lands on after the IdP. Partners write one for their app; refapp's is
// refappdriver.Pages.
type Driver interface {
	StartSSO(ctx context.Context, p *browser.Page, org string) error
	Outcome(ctx context.Context, p *browser.Page) (Outcome, error)
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
