// Package oidcrp is refapp's OpenID Connect relying party for Okta SSO: the
// authorization code flow with state, nonce and PKCE (S256), built on
// coreos/go-oidc/v3 and golang.org/x/oauth2.
//
// A login in flight (state hash, nonce, PKCE verifier, browser binding) is kept
// in the store, not in memory, so several refapp instances behind one load
// balancer can share it; the state is single-use and expires after
// Config.AttemptTTL. A short-lived HttpOnly cookie binds the attempt to the
// browser that started it, so a callback URL replayed in another browser is
// refused (login CSRF).
//
// Every refusal is an *Error whose Message says in plain words what went wrong
// (shown to the user) and whose Cause keeps the detail (for the log).
//
// Usage:
//
//	rp, err := oidcrp.New(oidcrp.Config{RedirectURL: base + "/sso/oidc/callback", Store: st})
//	url, err := rp.Start(ctx, w, org.ID, "", oidcrp.Connection{Issuer: iss, ClientID: id, ClientSecret: sec})
//	http.Redirect(w, r, url, http.StatusFound)
//	// later, on the callback:
//	id, err := rp.Finish(ctx, w, r, lookupConnection)
package oidcrp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/ssoconform/ssoconform/refapp/refusal"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// AttemptStore is the part of the store the relying party needs.
type AttemptStore interface {
	CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error
	ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error)
}

// Config configures an RP.
type Config struct {
	// RedirectURL is the registered redirect URI, base URL + "/sso/oidc/callback". Required.
	RedirectURL string
	// Store keeps logins in flight. Required.
	Store AttemptStore
	// HTTPClient makes the server-side calls (discovery, token, keys). Default: a client with a 15s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for state, nonce and PKCE verifier. Default crypto/rand.Reader.
	Rand io.Reader
	// AttemptTTL is how long a login may stay in flight. Default 10 minutes.
	AttemptTTL time.Duration
	// SecureCookies sets Secure on the browser-binding cookie (base URL is https). Default false.
	SecureCookies bool
	// Logger receives refusal details. Default: discard.
	Logger *slog.Logger
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
	if c.AttemptTTL <= 0 {
		c.AttemptTTL = 10 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a missing or malformed required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("oidcrp config: Store is required")
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("oidcrp config: RedirectURL %q must be an absolute http(s) URL", c.RedirectURL)
	}
	return nil
}

// Connection is one organization's Okta OIDC app.
type Connection struct {
	Issuer string
	// MetadataURL is the discovery URL the connection was saved with (it may carry ?client_id=).
	// Default: Issuer + DiscoverySuffix.
	MetadataURL  string
	ClientID     string
	ClientSecret string
}

func (c Connection) metadataURL() string {
	if c.MetadataURL != "" {
		return c.MetadataURL
	}
	return c.Issuer + DiscoverySuffix
}

// Identity is who the IdP says signed in.
type Identity struct {
	OrgID   string
	Issuer  string
	Subject string
	Email   string
	Name    string // the name claim; may be empty
	// PreferredUsername is the preferred_username claim; may be empty.
	PreferredUsername string
	// LinkMemberID is the member this sign-in links the identity to (from Start); empty for a plain sign-in.
	LinkMemberID string
}

// Error is a refused sign-in (see package refusal): Message is for the user, Cause for the log.
type Error = refusal.Error

func refuse(status int, cause error, format string, args ...any) *Error {
	return refusal.New(status, cause, format, args...)
}

// RP is the relying party. It is safe for concurrent use.
type RP struct {
	cfg Config
}

// New checks cfg and returns an RP.
func New(cfg Config) (*RP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &RP{cfg: cfg.withDefaults()}, nil
}
