package store

import (
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
