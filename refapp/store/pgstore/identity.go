package pgstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// LinkIdentity records a linked IdP identity (idempotent for the same member):
// an INSERT that does nothing on a taken key, then a look at who holds it.
func (s *Store) LinkIdentity(ctx context.Context, id store.Identity) error {
	return mapErr("link identity", s.inTx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM members WHERE org_id = $1 AND id = $2`,
			id.OrgID, id.MemberID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrInvalidReference
		}
		tag, err := tx.Exec(ctx, `INSERT INTO sso_identities (org_id, member_id, issuer, subject, protocol, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, issuer, subject) DO NOTHING`,
			id.OrgID, id.MemberID, id.Issuer, id.Subject, id.Protocol, id.CreatedAt)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var owner string
		if err := tx.QueryRow(ctx, `SELECT member_id FROM sso_identities WHERE org_id = $1 AND issuer = $2 AND subject = $3`,
			id.OrgID, id.Issuer, id.Subject).Scan(&owner); err != nil {
			return err
		}
		if owner != id.MemberID {
			return store.ErrConflict
		}
		return nil
	}))
}

const identityCols = `org_id, member_id, issuer, subject, protocol, created_at`

// IdentityByKey finds a linked identity.
func (s *Store) IdentityByKey(ctx context.Context, orgID, issuer, subject string) (store.Identity, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+identityCols+` FROM sso_identities
		WHERE org_id = $1 AND issuer = $2 AND subject = $3`, orgID, issuer, subject)
	id, err := scanIdentity(row)
	return id, mapErr("identity by key", err)
}

// MemberIdentities lists a member's linked identities, oldest first.
func (s *Store) MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+identityCols+` FROM sso_identities
		WHERE org_id = $1 AND member_id = $2 ORDER BY created_at, issuer, subject`, orgID, memberID)
	if err != nil {
		return nil, mapErr("member identities", err)
	}
	defer rows.Close()
	var out []store.Identity
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, mapErr("member identities", err)
		}
		out = append(out, id)
	}
	return out, mapErr("member identities", rows.Err())
}

func scanIdentity(row pgx.Row) (store.Identity, error) {
	var id store.Identity
	if err := row.Scan(&id.OrgID, &id.MemberID, &id.Issuer, &id.Subject, &id.Protocol, &id.CreatedAt); err != nil {
		return store.Identity{}, err
	}
	id.CreatedAt = utc(id.CreatedAt)
	return id, nil
}

// RecordAssertion remembers a SAML assertion ID until expiresAt; ErrAlreadyUsed for a replay. The
// cache is a table, so every instance on the database refuses a response another one accepted.
func (s *Store) RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error {
	const op = "record assertion"
	var inserted bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM saml_assertions WHERE expires_at <= $1`, now); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO saml_assertions (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			assertionKey(issuer, id), expiresAt)
		inserted = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return mapErr(op, err)
	}
	if !inserted {
		return fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
	}
	return nil
}

// assertionKey is the SHA-256 of the issuer and the assertion ID, NUL-separated (as sqlstore keys it).
func assertionKey(issuer, id string) []byte {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return h[:]
}
