// Package store defines refapp's persistence boundary: the domain records
// (organizations, members, API keys, SSO connections, sessions and pending
// SSO login attempts) and the Store interface every backend implements.
//
// Backends live in subpackages (sqlstore for SQLite; PostgreSQL later) and must
// all pass the same behaviour: lookups that find nothing return ErrNotFound,
// writes that break a uniqueness rule return ErrConflict, and emails and SCIM
// userNames compare case-insensitively within an organization.
//
// Usage:
//
//	st, err := sqlstore.Open(ctx, "/var/lib/refapp/refapp.db")
//	org, err := st.OrgByName(ctx, "acme")
//	m, err := st.MemberByEmail(ctx, org.ID, "Ada@Example.com")
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a lookup finds no record.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would break a uniqueness rule.
var ErrConflict = errors.New("store: conflict")

// ErrAlreadyUsed is returned by ConsumeLoginAttempt for a state that was
// already consumed once.
var ErrAlreadyUsed = errors.New("store: already used")

// Plan is an organization's subscription plan.
type Plan string

// The plans. SSO and SCIM need PlanPro or PlanEnterprise.
const (
	PlanFree       Plan = "free"
	PlanPro        Plan = "pro"
	PlanEnterprise Plan = "enterprise"
)

// Valid reports whether p is a known plan.
func (p Plan) Valid() bool {
	return p == PlanFree || p == PlanPro || p == PlanEnterprise
}

// AllowsSSO reports whether the plan includes SSO and SCIM provisioning.
func (p Plan) AllowsSSO() bool { return p == PlanPro || p == PlanEnterprise }

// Role is a member's role within an organization.
type Role string

// The roles.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// Org is an organization (a tenant).
type Org struct {
	ID        string
	Name      string // unique, case-insensitive; what users type on the SSO page
	Plan      Plan
	CreatedAt time.Time
}

// Member is a person's account within one organization. A member may have a
// password (created by an admin), a SCIM identity (created or linked by the
// IdP's provisioning client), or neither (created just in time at SSO login).
type Member struct {
	ID           string
	OrgID        string
	Email        string // unique per org, case-insensitive
	DisplayName  string // empty when unknown; the app then shows the email
	Role         Role
	PasswordHash string // empty: no password login
	Active       bool

	// SCIM attributes; SCIMUserName is empty for members Okta never pushed.
	SCIMUserName string // unique per org, case-insensitive, stored exactly as sent
	ExternalID   string
	GivenName    string
	FamilyName   string
	EmailType    string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// APIKey is an organization API key. Only the SHA-256 of the key is stored.
type APIKey struct {
	ID        string
	OrgID     string
	Prefix    string // the first characters of the key, for display
	Hash      []byte // SHA-256 of the whole key
	Scopes    []string
	CreatedAt time.Time
}

// SSOConnection is an organization's Okta connection.
type SSOConnection struct {
	OrgID        string
	Protocol     string // "oidc" ("saml" later)
	MetadataURL  string // ends with /.well-known/openid-configuration
	Issuer       string // MetadataURL without that suffix
	ClientID     string
	ClientSecret string // stored as given: it is sent to the token endpoint
	DefaultRole  Role
	UpdatedAt    time.Time
}

// Session is a signed-in browser. Only the SHA-256 of the cookie value is stored.
type Session struct {
	TokenHash []byte
	MemberID  string
	OrgID     string
	Method    string // "password" or "oidc"
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginAttempt is an SSO login in flight, between the redirect to the IdP and
// the callback. It is keyed by the SHA-256 of the OAuth state and consumed once.
type LoginAttempt struct {
	StateHash    []byte
	OrgID        string
	Nonce        string
	PKCEVerifier string
	BrowserHash  []byte // SHA-256 of the value of the cookie that binds the attempt to the browser
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Store is refapp's persistence. Implementations are safe for concurrent use.
type Store interface {
	CreateOrg(ctx context.Context, o Org) error
	OrgByID(ctx context.Context, id string) (Org, error)
	OrgByName(ctx context.Context, name string) (Org, error)

	CreateMember(ctx context.Context, m Member) error
	UpdateMember(ctx context.Context, m Member) error
	MemberByID(ctx context.Context, orgID, id string) (Member, error)
	MemberByEmail(ctx context.Context, orgID, email string) (Member, error)
	MemberBySCIMUserName(ctx context.Context, orgID, userName string) (Member, error)
	// MembersByEmail returns the members with that email across all organizations,
	// oldest first (password login does not ask for the organization).
	MembersByEmail(ctx context.Context, email string) ([]Member, error)
	// ListSCIMMembers returns the org's members that have a SCIM identity, ordered
	// by creation, from offset (0-based), at most limit, and the total count.
	ListSCIMMembers(ctx context.Context, orgID string, offset, limit int) ([]Member, int, error)

	CreateAPIKey(ctx context.Context, k APIKey) error
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)

	PutSSOConnection(ctx context.Context, c SSOConnection) error
	SSOConnection(ctx context.Context, orgID string) (SSOConnection, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	DeleteSession(ctx context.Context, hash []byte) error

	CreateLoginAttempt(ctx context.Context, a LoginAttempt) error
	// ConsumeLoginAttempt marks the attempt used and returns it. It returns
	// ErrNotFound for an unknown state and ErrAlreadyUsed for a used one. Expiry
	// is the caller's check (it owns the clock).
	ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (LoginAttempt, error)

	Close() error
}
