// Package refapp is the reference app of ssoconform: the small SaaS product that
// the Okta SSO and provisioning documentation describes (organizations on
// plans, members with roles, password login, DB-backed sessions, API keys, Okta
// SSO over OIDC and a SCIM 2.0 server). The conformance suite tests it as a
// black box, exactly like a partner's app.
//
// App is an http.Handler; it never listens itself. The subpackages own the
// pieces: store (records and the Store interface), store/sqlstore (SQLite),
// auth (passwords, sessions, API keys), oidcrp (the OIDC relying party), web
// (pages), scimserver (/scim/v2) and admin (the CLI's operations).
//
// Usage:
//
//	st, err := refapp.OpenStore(ctx, "sqlite:/var/lib/refapp/refapp.db")
//	app, err := refapp.New(refapp.Config{BaseURL: "https://app.example.com", Store: st})
//	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: app}
package refapp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/pgstore"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
	"github.com/ssoconform/ssoconform/refapp/web"
)

// Config configures an App.
type Config struct {
	// BaseURL is the app's external URL (scheme, host, optional port; no path),
	// e.g. http://app.test:8080. The OIDC redirect URI is BaseURL + "/sso/oidc/callback",
	// and session cookies are Secure when it is https. Required.
	BaseURL string
	// Store holds all state. Required (see OpenStore).
	Store store.Store
	// HTTPClient makes server-side calls to the IdP. Default: a client with a 15s timeout.
	HTTPClient *http.Client
	// Logger receives request and refusal logs (never secrets). Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for tokens and ids. Default crypto/rand.Reader.
	Rand io.Reader
	// SessionTTL is how long a browser session lasts at most (absolute expiry). Default 12h.
	SessionTTL time.Duration
	// SessionIdleTTL ends a session unused for that long (idle expiry; each use slides it). Default 2h.
	SessionIdleTTL time.Duration
	// SMTPURL is where mail goes, smtp://HOST:PORT. Default "": mail waits in the outbox table until an
	// instance with an SMTP URL sends it.
	SMTPURL string
	// MailFrom is the sender of the app's mail. Default "NeuraLegion <no-reply@refapp.test>".
	MailFrom string
	// LinkTTL is how long an account-linking link stays valid. Default 72h.
	LinkTTL time.Duration
	// LoginLimit bounds password sign-in attempts per email and per client address. Default: see
	// web.LoginLimit (10 per email and 300 per address in 15 minutes).
	LoginLimit web.LoginLimit
	// LoginAttemptTTL is how long an SSO login may stay in flight. Default 10m.
	LoginAttemptTTL time.Duration
	// SCIMRateLimit is the SCIM requests per second one API key may make before
	// getting 429. Default (0): scimserver's default, 10000.
	SCIMRateLimit float64
	// SCIMRateBurst is how many SCIM requests one key may make at once. Default (0): SCIMRateLimit.
	SCIMRateBurst int
}

func (c Config) withDefaults() Config {
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.SessionIdleTTL <= 0 {
		c.SessionIdleTTL = 2 * time.Hour
	}
	if c.LoginAttemptTTL <= 0 {
		c.LoginAttemptTTL = 10 * time.Minute
	}
	return c
}

// Validate reports a missing or malformed required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("refapp config: Store is required")
	}
	return ValidateBaseURL(c.BaseURL)
}

// ValidateBaseURL checks that u is an absolute http(s) URL without path, query or fragment.
func ValidateBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("base URL %q must be an absolute http or https URL", u)
	}
	if strings.Trim(p.Path, "/") != "" || p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("base URL %q must not have a path, query or fragment", u)
	}
	return nil
}

// OpenStore opens the store named by dsn. Supported: "sqlite:PATH" and PostgreSQL URLs
// ("postgres://USER@HOST:PORT/DB?sslmode=disable", also "postgresql://"; see pgstore for schema=NAME).
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return pgstore.Open(ctx, dsn)
	}
	kind, rest, ok := strings.Cut(dsn, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("database %q must look like sqlite:PATH", dsn)
	}
	switch kind {
	case "sqlite":
		return sqlstore.Open(ctx, rest)
	}
	return nil, fmt.Errorf("database %q: unsupported kind %q (supported: sqlite:PATH, postgres://...)", dsn, kind)
}
