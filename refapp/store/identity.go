package store

import (
	"context"
	"time"
)

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

// Identities is the SSO identity part of the Store: linked identities and the SAML assertion-ID replay
// cache. Both live in the database so every refapp instance sharing it sees them.
type Identities interface {
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
}
