// Package scimserver is refapp's SCIM 2.0 service provider (RFC 7643/7644) at
// /scim/v2, shaped by what Okta's provisioning client sends in both of its
// flavours (OIN apps: PUT for profiles, PATCH for active and groups; App
// Integration Wizard apps: PUT for everything) and tolerant of Entra's PATCH
// quirks (capitalised ops, "True"/"False" strings, dotted keys in path-less
// values, members removed by value array).
//
// Access: "Authorization: Bearer <API key>" with the scim scope, either an
// organization key or a personal key whose owner is an active admin of the
// org. Missing or unknown key: 401 with WWW-Authenticate. Key without the
// scim scope, org on the free plan, personal key of a non-admin, org without
// an SSO connection or with "Sync the group & users from your SSO provider"
// off: 403. Past Config.RateLimit requests per second per key: 429 with an
// integer Retry-After.
//
// Users are the org's members: userName is kept exactly as sent and is unique
// per org case-insensitively (409 uniqueness); emails keep value, type and
// primary (at most one primary may be sent; when none is, the first is the
// primary, which is also the member's sign-in email); name (givenName,
// familyName, formatted), active and externalId round-trip. displayName is the
// name the app shows and signs the member in as, so it is stored sanitized by
// the product's rule (refapp/sanitize: "#John Do`e¥" reads back "John Doe"),
// falling back to name.formatted, then given and family name.
// Unknown attributes, core attributes refapp does not keep (title, locale,
// phoneNumbers, ...), extension schemas and Okta's placeholder password are
// accepted and ignored; password is never returned. A created user whose email
// matches a member Okta never pushed is linked to that member. New members get
// the SSO connection's default role. Deactivation (active false by PUT or
// PATCH) keeps the user, retrievable, and deletes its sessions; password and
// SSO sign-in refuse inactive members; reactivation keeps the id. DELETE
// removes the member. Groups are the org's teams; member values are member
// ids of the same org (else 400 invalidValue); DELETE leaves the members.
//
// Filters (scim2/filter-parser) become store.Cond trees, never query text:
// userName (case-insensitive), id, externalId, emails.value (also emails eq
// and emails[value ...]), displayName for Users; displayName, id, externalId
// for Groups; operators eq, co, sw, pr with and, or, not; anything else is 400
// invalidFilter. Lists are in creation order; startIndex and count are
// integers (count capped at MaxPageSize); itemsPerPage is the number returned.
//
// PATCH supports add, replace and remove (op names in any case), with and
// without path, value filters (emails[type eq "work"].value,
// members[value eq "x"]), and Okta's path-less replace with id inside the
// value. A PATCH applies all its operations or none. Bodies above
// MaxBodyBytes (default 1 MiB) get 413; content types other than
// application/scim+json and application/json get 415. Every error leaves
// through writeError (errors.go) in the SCIM Error schema; store and internal
// errors become a bare 500 and are logged, never shown. Every 2xx is sent
// after its transaction committed. Discovery (/ServiceProviderConfig,
// /ResourceTypes, /Schemas) describes exactly this.
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
	KeyGrant(ctx context.Context, hash []byte) (store.KeyGrant, error)
	MemberByID(ctx context.Context, orgID, id string) (store.Member, error)
	ListSCIMMembers(ctx context.Context, orgID string, q store.Query) ([]store.Member, int, error)
	ProvisionMember(ctx context.Context, m store.Member) (store.Member, error)
	ModifyMember(ctx context.Context, orgID, id string, fn func(*store.Member) error) (store.Member, error)
	DeleteMember(ctx context.Context, orgID, id string) error
	CreateGroup(ctx context.Context, g store.Group) error
	GroupByID(ctx context.Context, orgID, id string) (store.Group, error)
	ListGroups(ctx context.Context, orgID string, q store.Query) ([]store.Group, int, error)
	ModifyGroup(ctx context.Context, orgID, id string, fn func(*store.Group) error) (store.Group, error)
	DeleteGroup(ctx context.Context, orgID, id string) error
}

// Config configures a Server.
type Config struct {
	// Store holds members, groups and API keys. Required.
	Store Store
	// BaseURL is the app's external base URL; meta.location is BaseURL + "/scim/v2/Users/{id}". Required.
	BaseURL string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for resource ids. Default crypto/rand.Reader.
	Rand io.Reader
	// Logger receives internal errors and refusals. Default: discard.
	Logger *slog.Logger
	// MaxPageSize caps count on list requests (filter.maxResults). Default 1000.
	MaxPageSize int
	// MaxBodyBytes is the largest request body accepted; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// RateLimit is how many requests per second one API key may make on
	// average; past it (and RateBurst), requests get 429. Default 10000, far
	// above what an Okta push or the benchmarks send.
	RateLimit float64
	// RateBurst is how many requests one key may make at once. Default RateLimit (at least 1).
	RateBurst int
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
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.RateLimit <= 0 {
		c.RateLimit = 10000
	}
	if c.RateBurst <= 0 {
		c.RateBurst = max(int(c.RateLimit), 1)
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
	cfg     Config
	limiter *limiter
	used    lastUse // when each key's last use was recorded (lastuse.go)
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Server{cfg: cfg, limiter: newLimiter(cfg.RateLimit, cfg.RateBurst)}, nil
}
