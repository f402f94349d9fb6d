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
	return s.mapErr("link identity", s.inTx(ctx, func(tx querier) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id = ?`,
			id.OrgID, id.MemberID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrInvalidReference
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sso_identities (org_id, member_id, issuer, subject, protocol, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, issuer, subject) DO NOTHING`,
			id.OrgID, id.MemberID, id.Issuer, id.Subject, id.Protocol, id.CreatedAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT member_id FROM sso_identities WHERE org_id = ? AND issuer = ? AND subject = ?`,
			id.OrgID, id.Issuer, id.Subject).Scan(&owner); err != nil {
			return err
		}
		if owner != id.MemberID {
			return store.ErrConflict
		}
		return nil
	}))
}

// IdentityByKey finds a linked identity.
func (s *Store) IdentityByKey(ctx context.Context, orgID, issuer, subject string) (store.Identity, error) {
	row := s.q().QueryRowContext(ctx, `SELECT org_id, member_id, issuer, subject, protocol, created_at FROM sso_identities
		WHERE org_id = ? AND issuer = ? AND subject = ?`, orgID, issuer, subject)
	id, err := scanIdentity(row.Scan)
	return id, s.mapErr("identity by key", err)
}

// MemberIdentities lists a member's linked identities, oldest first.
func (s *Store) MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, member_id, issuer, subject, protocol, created_at
		FROM sso_identities WHERE org_id = ? AND member_id = ? ORDER BY created_at, issuer, subject`, orgID, memberID)
	if err != nil {
		return nil, s.mapErr("member identities", err)
	}
	defer rows.Close()
	var out []store.Identity
	for rows.Next() {
		id, err := scanIdentity(rows.Scan)
		if err != nil {
			return nil, s.mapErr("member identities", err)
		}
		out = append(out, id)
	}
	return out, s.mapErr("member identities", rows.Err())
}

func scanIdentity(scan func(...any) error) (store.Identity, error) {
	var id store.Identity
	err := scan(&id.OrgID, &id.MemberID, &id.Issuer, &id.Subject, &id.Protocol, at(&id.CreatedAt))
	return id, err
}

// RecordAssertion remembers a SAML assertion ID until expiresAt; ErrAlreadyUsed for a replay. The
// cache is a table, so every instance on the database refuses a response another one accepted.
func (s *Store) RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error {
	const op = "record assertion"
	var inserted bool
	err := s.inTx(ctx, func(tx querier) error {
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
	if err != nil {
		return s.mapErr(op, err)
	}
	if !inserted {
		return fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
	}
	return nil
}

// assertionKey is the SHA-256 of the issuer and the assertion ID, NUL-separated.
func assertionKey(issuer, id string) []byte {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return h[:]
}
