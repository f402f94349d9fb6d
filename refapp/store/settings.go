package store

import (
	"context"
	"errors"
	"time"
)

// ErrLastAdmin is returned when a change would leave an organization without an active admin.
var ErrLastAdmin = errors.New("store: an organization must keep an active admin")

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

// APIKeyUse is an API key as the keys page lists it, with when it was last used (zero: never).
type APIKeyUse struct {
	APIKey
	LastUsedAt time.Time
}

// MemberAdmin is how admins manage an organization's members. Both methods keep the rule that an
// organization always has an active admin, checked inside the write's transaction (ErrLastAdmin).
type MemberAdmin interface {
	// ListMembers returns every member of the organization, oldest first.
	ListMembers(ctx context.Context, orgID string) ([]Member, error)
	// SetMemberRole changes a member's role.
	SetMemberRole(ctx context.Context, orgID, id string, role Role, now time.Time) (Member, error)
	// RemoveMember deletes the member as DeleteMember does.
	RemoveMember(ctx context.Context, orgID, id string) error
}

// APIKeyAdmin lists, revokes and records the use of API keys.
type APIKeyAdmin interface {
	// ListAPIKeys returns the organization's keys, newest first.
	ListAPIKeys(ctx context.Context, orgID string) ([]APIKeyUse, error)
	// RevokeAPIKey deletes the key, so it no longer authenticates; ErrNotFound when the org has no such key.
	RevokeAPIKey(ctx context.Context, orgID, id string) error
	// TouchAPIKey records that the key was used at at.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// Linking keeps account-linking invitations and the mail outbox.
type Linking interface {
	// EnqueueLinks stores the tokens and the mails in one transaction, after dropping the unused tokens
	// the same members had (a new invitation replaces the old one).
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
}

// Settings is what the organization settings need beyond the core Store: members, API keys, session
// touches (idle expiry), SSO disconnection, linking invitations and the outbox.
type Settings interface {
	MemberAdmin
	APIKeyAdmin
	Linking
	// TouchSession moves a session's expiry (idle expiry slides on use).
	TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error
	// DeleteSSOConnection removes the organization's SSO connection; ErrNotFound when there is none.
	DeleteSSOConnection(ctx context.Context, orgID string) error
}
