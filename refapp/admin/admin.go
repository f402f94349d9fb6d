// Package admin holds the operations behind refapp's command line (and, later,
// its organization settings pages): create an organization with its first
// admin, create an organization API key, connect Okta SSO (after fetching and
// checking the provider's discovery document) and show the connection.
//
// Secrets pass through as values, never as log attributes: the client secret
// is stored as given (the token endpoint needs it) and never returned by
// ShowSSO; an API key is returned once by CreateAPIKey and only its SHA-256 is
// stored.
//
// Usage:
//
//	a, err := admin.New(admin.Config{Store: st})
//	org, err := a.CreateOrg(ctx, admin.OrgInput{Name: "acme", Plan: "pro", AdminEmail: e, AdminPassword: pw})
//	key, err := a.CreateAPIKey(ctx, "acme", []string{"scim"})
//	err = a.SetSSO(ctx, admin.SSOInput{Org: "acme", Protocol: "oidc", MetadataURL: u, ...})
package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Config configures an Admin.
type Config struct {
	// Store is where everything is kept. Required.
	Store store.Store
	// HTTPClient fetches discovery documents. Default: a client with a 15s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for ids and keys. Default crypto/rand.Reader.
	Rand io.Reader
	// PasswordCost is the bcrypt cost for new passwords. Default bcrypt.DefaultCost (10).
	PasswordCost int
	// Logger records what changed (never secrets). Default: discard.
	Logger *slog.Logger
	// OnSSOSaved, when set, is called after SetSSO saved a connection (e.g. to send the account-linking
	// emails). Default nil: nothing.
	OnSSOSaved func(ctx context.Context, orgID string) error
	// Actor is who the audit log names for changes made through this Admin. Default "cli".
	Actor string
}

func (c Config) withDefaults() Config {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Actor == "" {
		c.Actor = "cli"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a missing required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("admin config: Store is required")
	}
	return nil
}

// Admin performs administrative operations.
type Admin struct {
	cfg Config
}

// New checks cfg and returns an Admin.
func New(cfg Config) (*Admin, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Admin{cfg: cfg.withDefaults()}, nil
}
