package refappdriver

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

// Pages drives the reference app's pages, the path of the product documentation: login page ->
// "Single Sign On (SSO)" -> organization name -> Continue -> "Sign in with Okta".
type Pages struct {
	// URL is the app's base URL as the browser reaches it.
	URL string
}

var _ harness.Driver = Pages{}

// StartSSO walks from the login page to the IdP.
func (d Pages) StartSSO(ctx context.Context, p *browser.Page, org string) error {
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
func (d Pages) Outcome(ctx context.Context, p *browser.Page) (harness.Outcome, error) {
	which, err := p.WaitAny(ctx, "#member-name", "#error")
	if err != nil {
		return harness.Outcome{URL: harness.RedactURL(p.URL())}, fmt.Errorf("read SSO outcome: %w", err)
	}
	out := harness.Outcome{URL: harness.RedactURL(p.URL()), SignedIn: which == "#member-name"}
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
