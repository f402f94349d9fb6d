// Package store defines refapp's persistence boundary: the domain records (organizations, members, groups
// (the org's teams), API keys, SSO connections, sessions and pending SSO login attempts) and the Store
// interface every backend implements.
//
// One SQL implementation (sqlcore) serves every database through a small dialect; sqlstore (SQLite) and
// pgstore (PostgreSQL) hold only their Open and dialect, and storetest is the behaviour each must pass:
// lookups that find nothing return ErrNotFound, writes that break a uniqueness rule return ErrConflict
// (always detected by a unique index inside the write's transaction, never by a separate check), emails, SCIM
// userNames and group names compare case-insensitively within an organization, saving a member inactive
// deletes its sessions in the same transaction, and every write is committed before the call returns.
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

// ErrInvalidReference is returned when a write names a record (a group
// member) that does not exist in the organization.
var ErrInvalidReference = errors.New("store: invalid reference")

// ErrAlreadyUsed is returned by ConsumeLoginAttempt for a state that was already consumed once.
var ErrAlreadyUsed = errors.New("store: already used")

// ErrLastAdmin is returned when a change would leave an organization without an active admin.
var ErrLastAdmin = errors.New("store: an organization must keep an active admin")

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
	SCIMUserName  string // unique per org, case-insensitive, stored exactly as sent
	ExternalID    string
	GivenName     string
	FamilyName    string
	FormattedName string
	// Emails are the SCIM emails as sent (at most one Primary). Email is the
	// primary one (else the first, else the userName).
	Emails []Email

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Email is one of a member's SCIM email addresses.
type Email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Group is a team of an organization; the SCIM Group resource.
type Group struct {
	ID          string
	OrgID       string
	DisplayName string // unique per org, case-insensitive
	ExternalID  string
	Members     []GroupMember // in the order they were added
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// GroupMember is a member of a group. Display is filled in by reads (the
// member's SCIM userName, else email) and ignored by writes.
type GroupMember struct {
	ID      string
	Display string
}

// APIKey is an API key. Only the SHA-256 of the key is stored. An organization key has no OwnerID; a personal
// key belongs to a member and acts with that member's rights.
type APIKey struct {
	ID        string
	OrgID     string
	OwnerID   string // member id for a personal key; empty for an organization key
	Prefix    string // the first characters of the key, for display
	Hash      []byte // SHA-256 of the whole key
	Scopes    []string
	CreatedAt time.Time
}

// KeyGrant is what an API key grants, read at once: the key, its organization and the organization's
// SSO connection. A request authenticated by an API key needs all three, read in one joined query
// (or, where the backend caches grants, checked against a counter of their changes), so a revoked key
// stops working at once.
type KeyGrant struct {
	Key     APIKey
	Org     Org
	Conn    SSOConnection // the zero value when HasConn is false
	HasConn bool
}

// APIKeyUse is an API key as the keys page lists it, with when it was last used (zero: never).
type APIKeyUse struct {
	APIKey
	LastUsedAt time.Time
}

// SSOConnection is an organization's Okta connection.
type SSOConnection struct {
	OrgID        string
	Protocol     string // "oidc" or "saml"
	MetadataURL  string // OIDC: ends with /.well-known/openid-configuration; SAML: the IdP metadata URL
	Issuer       string // OIDC: MetadataURL without that suffix; SAML: the IdP entity ID
	ClientID     string // OIDC only
	ClientSecret string // OIDC only; stored as given: it is sent to the token endpoint
	// IdPMetadata is the SAML IdP metadata document fetched and checked when the connection was saved
	// (the signing certificate and SSO URL come from it). Empty for OIDC.
	IdPMetadata string
	DefaultRole Role
	// Enforce is "Require your organization members to use SSO to access": password sign-in is refused
	// for the org's members and only current members with a linked SSO identity get in.
	Enforce bool
	// SyncEnabled is "Sync the group & users from your SSO provider": SCIM
	// provisioning is refused unless it is on.
	SyncEnabled bool
	UpdatedAt   time.Time
}

// SPKey is the SAML service provider's signing key pair, one per deployment (the SP has one entity ID):
// it signs the LogoutRequests of single logout, and its certificate is in the SP metadata and in
// `refapp sso show` for the Okta app's "Signature Certificate". The private key never leaves the store
// and the SP.
type SPKey struct {
	PrivateKeyPEM  string // PKCS #8
	CertificatePEM string
	CreatedAt      time.Time
}

// Session is a signed-in browser. Only the SHA-256 of the cookie value is stored.
type Session struct {
	TokenHash []byte
	MemberID  string
	OrgID     string
	Method    string // "password", "oidc" or "saml"
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
	// Protocol is "oidc" (empty means oidc), "saml", or "saml-handoff" (a verified SAML response waiting
	// for the browser that started the sign-in to come back with its cookie).
	Protocol string
	// RequestID is the SAML AuthnRequest ID the response's InResponseTo must name. Empty for OIDC.
	RequestID string
	// LinkMemberID, when set, is the member this sign-in links the IdP identity to (account linking).
	LinkMemberID string
	// Result is the verified identity of a "saml-handoff" attempt, as JSON. Empty otherwise.
	Result    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Identity is an IdP identity linked to a member: the IdP (OIDC issuer or SAML IdP entity ID) and who it
// says signed in (OIDC sub or SAML NameID). (OrgID, Issuer, Subject) is unique: one IdP identity signs in
// as one member of an organization.
type Identity struct {
	OrgID     string
	MemberID  string
	Issuer    string
	Subject   string
	Protocol  string // "oidc" or "saml"
	CreatedAt time.Time
}

// LinkToken is an account-linking invitation: a single-use link mailed to a member when the
// organization connects Okta, which leads through Okta sign-in and links the Okta identity to the
// member. Only the SHA-256 of the token is stored.
type LinkToken struct {
	Hash      []byte
	OrgID     string
	MemberID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}

// OutboxMail is one message in the outbox. Kind says how the sender renders Payload (a JSON object)
// into a message; a payload may hold a link token in clear until the message is sent, and is erased
// ("{}") once it is.
type OutboxMail struct {
	ID            string
	Kind          string // e.g. "sso-link"
	To            string
	Payload       string
	CreatedAt     time.Time
	Attempts      int       // failed sends so far
	NextAttemptAt time.Time // not sent before this
	LastError     string    // why the last attempt failed (no secrets)
	SentAt        time.Time // zero while pending
}

// AuditEvent is one entry of an organization's audit log: SSO configuration changes, sign-ins and
// refusals, support resets. Detail is for admins and never holds secrets.
type AuditEvent struct {
	ID      string
	OrgID   string
	At      time.Time
	Actor   string // who: a member's email, "cli", "support" or "okta:<subject>"
	Action  string // e.g. "sso.configure", "sso.signin", "sso.refused", "sso.reset", "member.add"
	Outcome string // "success" or "failure"
	Detail  string
}

// CondOp is the operator of a Cond.
type CondOp int

// The condition operators. String comparisons on userName, emails.value and displayName ignore case (Go's
// strings.ToLower on both sides); on id and externalId they are exact.
const (
	CondEq         CondOp = iota + 1 // Attr equals Value
	CondContains                     // Attr contains Value
	CondStartsWith                   // Attr starts with Value
	CondPresent                      // Attr is non-empty
	CondAnd                          // every one of Args
	CondOr                           // any one of Args
	CondNot                          // not Args[0]
)

// The attributes a Cond may test. Members: all; groups: AttrID, AttrExternalID, AttrDisplayName.
const (
	AttrUserName    = "userName"
	AttrID          = "id"
	AttrExternalID  = "externalId"
	AttrEmailValue  = "emails.value" // any of the member's SCIM emails
	AttrDisplayName = "displayName"
)

// Cond is a backend-neutral filter: backends turn it into a query whose
// values are always bound parameters, never query text.
type Cond struct {
	Op    CondOp
	Attr  string
	Value string
	Args  []Cond
}

// Query selects a page of SCIM members or groups: those matching Filter (nil:
// all), in creation order, skipping Offset, at most Limit.
type Query struct {
	Filter *Cond
	Offset int
	Limit  int
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
	// ListSCIMMembers returns a page of the org's members that have a SCIM
	// identity, in creation order, and how many match in all.
	ListSCIMMembers(ctx context.Context, orgID string, q Query) ([]Member, int, error)
	// ProvisionMember creates m, or, when the org has a member with m's email and no SCIM identity, gives
	// that member m's SCIM identity and attributes (keeping its id, role, password and creation time).
	// ErrConflict when the userName or email belongs to another SCIM member.
	ProvisionMember(ctx context.Context, m Member) (Member, error)
	// ModifyMember runs fn on the member inside a transaction and saves the
	// result; fn's error aborts and is returned as is.
	ModifyMember(ctx context.Context, orgID, id string, fn func(*Member) error) (Member, error)
	// DeleteMember deletes the member with its sessions, personal keys and group memberships.
	DeleteMember(ctx context.Context, orgID, id string) error
	// ListMembers returns every member of the organization, oldest first.
	ListMembers(ctx context.Context, orgID string) ([]Member, error)
	// SetMemberRole and RemoveMember (which deletes as DeleteMember does) keep the rule that an organization
	// always has an active admin, checked inside the write's transaction (ErrLastAdmin).
	SetMemberRole(ctx context.Context, orgID, id string, role Role, now time.Time) (Member, error)
	RemoveMember(ctx context.Context, orgID, id string) error

	// CreateGroup inserts g; ErrConflict for a taken name, ErrInvalidReference
	// for a member id that is not in the org.
	CreateGroup(ctx context.Context, g Group) error
	GroupByID(ctx context.Context, orgID, id string) (Group, error)
	ListGroups(ctx context.Context, orgID string, q Query) ([]Group, int, error)
	// ModifyGroup runs fn on the group inside a transaction and saves it (name,
	// externalId and the whole member list); errors as CreateGroup.
	ModifyGroup(ctx context.Context, orgID, id string, fn func(*Group) error) (Group, error)
	// DeleteGroup deletes the group; its members' accounts are untouched.
	DeleteGroup(ctx context.Context, orgID, id string) error

	CreateAPIKey(ctx context.Context, k APIKey) error
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	// KeyGrant finds the API key whose SHA-256 is hash, with its organization and SSO connection;
	// ErrNotFound for an unknown key.
	KeyGrant(ctx context.Context, hash []byte) (KeyGrant, error)
	// ListAPIKeys returns the organization's keys, newest first.
	ListAPIKeys(ctx context.Context, orgID string) ([]APIKeyUse, error)
	// RevokeAPIKey deletes the key, so it no longer authenticates; ErrNotFound when the org has no such key.
	RevokeAPIKey(ctx context.Context, orgID, id string) error
	// TouchAPIKey records that the key was used at at.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error

	PutSSOConnection(ctx context.Context, c SSOConnection) error
	SSOConnection(ctx context.Context, orgID string) (SSOConnection, error)
	// DeleteSSOConnection removes the organization's SSO connection; ErrNotFound when there is none.
	DeleteSSOConnection(ctx context.Context, orgID string) error
	// SPKey returns the deployment's SAML signing key, or ErrNotFound before EnsureSPKey stored one.
	SPKey(ctx context.Context) (SPKey, error)
	// EnsureSPKey stores k as the deployment's SAML signing key unless one is stored already, and
	// returns the stored one: every instance on the database, racing or not, signs with the same key.
	EnsureSPKey(ctx context.Context, k SPKey) (SPKey, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// TouchSession moves a session's expiry (idle expiry slides on use).
	TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error

	CreateLoginAttempt(ctx context.Context, a LoginAttempt) error
	// ConsumeLoginAttempt marks the attempt used and returns it. It returns ErrNotFound for an unknown state
	// and ErrAlreadyUsed for a used one. Expiry is the caller's check (it owns the clock).
	ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (LoginAttempt, error)

	// EnqueueLinks stores account-linking tokens and their mails in one transaction, after dropping the
	// unused tokens the same members had (a new invitation replaces the old one).
	EnqueueLinks(ctx context.Context, tokens []LinkToken, mails []OutboxMail) error
	// LinkTokenByHash finds a token, used or not; ErrNotFound when unknown.
	LinkTokenByHash(ctx context.Context, hash []byte) (LinkToken, error)
	// ConsumeLinkToken marks the token used, atomically, and returns it: ErrNotFound for an unknown
	// token, ErrAlreadyUsed for a used one. Expiry is the caller's check (it owns the clock).
	ConsumeLinkToken(ctx context.Context, hash []byte, now time.Time) (LinkToken, error)

	// EnqueueMail adds one message to the outbox.
	EnqueueMail(ctx context.Context, m OutboxMail) error
	// ClaimMail returns up to limit unsent messages due at now, oldest first, and pushes their
	// NextAttemptAt to leaseUntil in the same transaction, so two senders never take the same message
	// at once and a sender that dies leaves them due again at leaseUntil.
	ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]OutboxMail, error)
	// MailSent marks the message sent and erases its payload.
	MailSent(ctx context.Context, id string, at time.Time) error
	// MailFailed counts a failed attempt and schedules the next one.
	MailFailed(ctx context.Context, id string, next time.Time, reason string) error
	// PendingMail returns the unsent messages, oldest first, at most limit (0 = 100).
	PendingMail(ctx context.Context, limit int) ([]OutboxMail, error)

	// AppendAudit records e (ID and At are set by the caller).
	AppendAudit(ctx context.Context, e AuditEvent) error
	// ListAudit returns the org's newest events first, at most limit (0 = 100).
	ListAudit(ctx context.Context, orgID string, limit int) ([]AuditEvent, error)

	// Linked identities and the SAML assertion-ID replay cache live in the database, so every refapp
	// instance sharing it sees them.
	//
	// LinkIdentity records id. Linking the same identity to the same member again is not an error;
	// ErrConflict when it is linked to another member; ErrInvalidReference when the member does not exist.
	LinkIdentity(ctx context.Context, id Identity) error
	// IdentityByKey returns the linked identity, or ErrNotFound.
	IdentityByKey(ctx context.Context, orgID, issuer, subject string) (Identity, error)
	// MemberIdentities returns the member's linked identities, oldest first.
	MemberIdentities(ctx context.Context, orgID, memberID string) ([]Identity, error)
	// RecordAssertion remembers a SAML assertion ID of an issuer until expiresAt. It returns
	// ErrAlreadyUsed when the same (issuer, id) was recorded before and has not expired; it deletes
	// entries that expired at now.
	RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error

	Close() error
}
