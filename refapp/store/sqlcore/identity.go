package sqlcore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// LinkIdentity records a linked IdP identity (idempotent for the same member): an INSERT that does
// nothing on a taken key, then a look at who holds it.
func (s *Store) LinkIdentity(ctx context.Context, id store.Identity) error {
	return s.tx(ctx, "link identity", func(tx querier) error {
		n, err := one(ctx, tx, count, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id = ?`, id.OrgID, id.MemberID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrInvalidReference
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sso_identities (org_id, member_id, issuer, subject, protocol,
			created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, issuer, subject) DO NOTHING`,
			id.OrgID, id.MemberID, id.Issuer, id.Subject, id.Protocol, id.CreatedAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		owner, err := one(ctx, tx, scanIdentity, `SELECT `+identityCols+` FROM sso_identities
			WHERE org_id = ? AND issuer = ? AND subject = ?`, id.OrgID, id.Issuer, id.Subject)
		if err == nil && owner.MemberID != id.MemberID {
			return store.ErrConflict
		}
		return err
	})
}

const identityCols = `org_id, member_id, issuer, subject, protocol, created_at`

var scanIdentity = fields(func(id *store.Identity) []any {
	return []any{&id.OrgID, &id.MemberID, &id.Issuer, &id.Subject, &id.Protocol, at(&id.CreatedAt)}
})

func (s *Store) IdentityByKey(ctx context.Context, orgID, issuer, subject string) (store.Identity, error) {
	return get(ctx, s, "identity by key", scanIdentity, `SELECT `+identityCols+` FROM sso_identities
		WHERE org_id = ? AND issuer = ? AND subject = ?`, orgID, issuer, subject)
}

func (s *Store) MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error) {
	return list(ctx, s, "member identities", scanIdentity, `SELECT `+identityCols+` FROM sso_identities
		WHERE org_id = ? AND member_id = ? ORDER BY created_at, issuer, subject`, orgID, memberID)
}

// RecordAssertion remembers a SAML assertion ID until expiresAt; ErrAlreadyUsed for a replay. The
// cache is a table, so every instance on the database refuses a response another one accepted.
func (s *Store) RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error {
	const op = "record assertion"
	var inserted bool
	err := s.tx(ctx, op, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM saml_assertions WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO saml_assertions (key, expires_at) VALUES (?, ?)
			ON CONFLICT (key) DO NOTHING`, assertionKey(issuer, id), expiresAt)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		inserted = n == 1
		return err
	})
	if err == nil && !inserted {
		return fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
	}
	return err
}

// assertionKey is the SHA-256 of the issuer and the assertion ID, NUL-separated.
func assertionKey(issuer, id string) []byte {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return h[:]
}
