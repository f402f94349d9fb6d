// Package scimserver is refapp's SCIM 2.0 service provider (RFC 7643/7644) at
// /scim/v2, shaped by what Okta's provisioning client sends.
//
// Callers authenticate with "Authorization: Bearer <API key>"; the key must
// carry the scim scope (else 401 with WWW-Authenticate) and its organization
// must be on the pro or enterprise plan (else 403). A SCIM User is a member of
// the key's organization. userName is stored exactly as sent and is unique per
// organization case-insensitively (409 uniqueness). Okta's placeholder password
// and attributes refapp does not keep are accepted and ignored, never returned.
// A created user whose email matches an existing member that Okta never pushed
// is linked to that member rather than refused (the admin who set up SSO is
// usually also assigned to the Okta app).
//
// Supported so far: POST /Users, GET /Users (with filter userName eq "..." and
// startIndex/count paging), GET /Users/{id}. Every error leaves through
// writeError (errors.go), in the SCIM Error schema.
//
// Usage:
//
//	srv, err := scimserver.New(scimserver.Config{Store: st, BaseURL: "https://app.example.com"})
//	srv.Mount(mux) // registers /scim/v2/...
package scimserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Store is the part of refapp's store the SCIM server needs.
type Store interface {
	OrgByID(ctx context.Context, id string) (store.Org, error)
	APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error)
	SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error)
	CreateMember(ctx context.Context, m store.Member) error
	UpdateMember(ctx context.Context, m store.Member) error
	MemberByID(ctx context.Context, orgID, id string) (store.Member, error)
	MemberByEmail(ctx context.Context, orgID, email string) (store.Member, error)
	MemberBySCIMUserName(ctx context.Context, orgID, userName string) (store.Member, error)
	ListSCIMMembers(ctx context.Context, orgID string, offset, limit int) ([]store.Member, int, error)
}

// Config configures a Server.
type Config struct {
	// Store holds members and API keys. Required.
	Store Store
	// BaseURL is the app's external base URL; meta.location is BaseURL + "/scim/v2/Users/{id}". Required.
	BaseURL string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for resource ids. Default crypto/rand.Reader.
	Rand io.Reader
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
	// MaxPageSize caps count on list requests. Default 1000.
	MaxPageSize int
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxPageSize <= 0 {
		c.MaxPageSize = 1000
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

// Validate reports a missing or malformed required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("scimserver config: Store is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("scimserver config: BaseURL %q must be an absolute http(s) URL", c.BaseURL)
	}
	return nil
}

// Server serves /scim/v2.
type Server struct {
	cfg Config
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg.withDefaults()}, nil
}
