package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// LinkIdentity records a linked IdP identity (idempotent for the same member).
func (s *Store) LinkIdentity(ctx context.Context, id store.Identity) error {
	const op = "link identity"
	return mapErr(op, s.inTx(ctx, func(tx querier) error {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT member_id FROM sso_identities WHERE org_id = ? AND issuer = ? AND subject = ?`,
			id.OrgID, id.Issuer, id.Subject).Scan(&owner)
		switch {
		case err == nil && owner == id.MemberID:
			return nil
		case err == nil:
			return store.ErrConflict
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id = ?`,
			id.OrgID, id.MemberID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrInvalidReference
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sso_identities (org_id, member_id, issuer, subject, protocol, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id.OrgID, id.MemberID, id.Issuer, id.Subject, id.Protocol, fmtTime(id.CreatedAt))
		return err
	}))
}

// IdentityByKey finds a linked identity.
func (s *Store) IdentityByKey(ctx context.Context, orgID, issuer, subject string) (store.Identity, error) {
	row := s.q().QueryRowContext(ctx, `SELECT org_id, member_id, issuer, subject, protocol, created_at FROM sso_identities
		WHERE org_id = ? AND issuer = ? AND subject = ?`, orgID, issuer, subject)
	id, err := scanIdentity(row.Scan)
	return id, mapErr("identity by key", err)
}

// MemberIdentities lists a member's linked identities, oldest first.
func (s *Store) MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, member_id, issuer, subject, protocol, created_at
		FROM sso_identities WHERE org_id = ? AND member_id = ? ORDER BY created_at, issuer, subject`, orgID, memberID)
	if err != nil {
		return nil, mapErr("member identities", err)
	}
	defer rows.Close()
	var out []store.Identity
	for rows.Next() {
		id, err := scanIdentity(rows.Scan)
		if err != nil {
			return nil, mapErr("member identities", err)
		}
		out = append(out, id)
	}
	return out, mapErr("member identities", rows.Err())
}

func scanIdentity(scan func(...any) error) (store.Identity, error) {
	var id store.Identity
	var created string
	if err := scan(&id.OrgID, &id.MemberID, &id.Issuer, &id.Subject, &id.Protocol, &created); err != nil {
		return store.Identity{}, err
	}
	var err error
	id.CreatedAt, err = parseTime(created)
	return id, err
}

// RecordAssertion remembers a SAML assertion ID until expiresAt; ErrAlreadyUsed for a replay.
func (s *Store) RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error {
	const op = "record assertion"
	key := assertionKey(issuer, id)
	err := s.inTx(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM saml_assertions WHERE expires_at <= ?`, fmtTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO saml_assertions (key, expires_at) VALUES (?, ?)`, key, fmtTime(expiresAt))
		return err
	})
	if err = mapErr(op, err); errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
	}
	return err
}

// assertionKey is the SHA-256 of the issuer and the assertion ID, NUL-separated.
func assertionKey(issuer, id string) []byte {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return h[:]
}
