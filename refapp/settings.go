package refapp

import (
	"context"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/linking"
	"github.com/ssoconform/ssoconform/refapp/mailer"
	"github.com/ssoconform/ssoconform/refapp/orgsettings"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// newSettings assembles the organization settings: account-linking invitations, the mail outbox's
// sender (when an SMTP URL is configured) and the admin pages.
func (a *App) newSettings(sessions *auth.Sessions) error {
	cfg := a.cfg
	var err error
	if a.links, err = linking.New(linking.Config{Store: cfg.Store, TTL: cfg.LinkTTL, Now: cfg.Now, Rand: cfg.Rand}); err != nil {
		return err
	}
	if cfg.SMTPURL != "" {
		a.mail, err = mailer.New(mailer.Config{Store: cfg.Store, SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, Now: cfg.Now,
			Logger: cfg.Logger, Renderers: map[string]mailer.Renderer{linking.Kind: func(m store.OutboxMail) (string, string, error) {
				return linking.Render(cfg.BaseURL, m)
			}}})
		if err != nil {
			return err
		}
	}
	a.settings, err = orgsettings.New(orgsettings.Config{Store: cfg.Store, Sessions: sessions, Admin: a.admin,
		BaseURL: cfg.BaseURL, Invite: a.invite, Logger: cfg.Logger})
	return err
}

// admin returns an Admin acting for actor; saving SSO invites the members to link their Okta profiles.
func (a *App) admin(actor string) *admin.Admin {
	ad, err := admin.New(admin.Config{Store: a.cfg.Store, HTTPClient: a.cfg.HTTPClient, Now: a.cfg.Now, Rand: a.cfg.Rand,
		Logger: a.cfg.Logger, Actor: actor, OnSSOSaved: func(ctx context.Context, orgID string) error {
			_, err := a.invite(ctx, orgID)
			return err
		}})
	if err != nil {
		panic(err) // the Store was checked by Config.Validate
	}
	return ad
}

// invite queues linking invitations and wakes the mail sender.
func (a *App) invite(ctx context.Context, orgID string, memberIDs ...string) (int, error) {
	n, err := a.links.Invite(ctx, orgID, memberIDs...)
	if n > 0 && a.mail != nil {
		a.mail.Kick()
	}
	return n, err
}

// Run does the app's background work until ctx ends: it sends the mail outbox (when an SMTP URL is
// configured). Serve the handler and call Run beside it.
func (a *App) Run(ctx context.Context) {
	if a.mail == nil {
		a.cfg.Logger.WarnContext(ctx, "no SMTP URL: mail stays in the outbox until an instance with one sends it")
		<-ctx.Done()
		return
	}
	a.mail.Run(ctx)
}
