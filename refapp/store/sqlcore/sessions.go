package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	return s.write(ctx, "create session", `INSERT INTO sessions (token_hash, member_id, org_id, method, created_at,
		expires_at) VALUES (?, ?, ?, ?, ?, ?)`, se.TokenHash, se.MemberID, se.OrgID, se.Method, se.CreatedAt, se.ExpiresAt)
}

// SessionByHash finds a session by the SHA-256 of its token. Expiry is the caller's check.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	return get(ctx, s, "session by hash", fields(func(se *store.Session) []any {
		return []any{&se.TokenHash, &se.MemberID, &se.OrgID, &se.Method, at(&se.CreatedAt), at(&se.ExpiresAt)}
	}), `SELECT token_hash, member_id, org_id, method, created_at, expires_at FROM sessions WHERE token_hash = ?`, hash)
}

// DeleteSession removes a session; deleting an unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.write(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, hash)
}

func (s *Store) CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error {
	return s.write(ctx, "create login attempt", `INSERT INTO login_attempts
		(state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id, result,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.StateHash, a.OrgID, a.Nonce, a.PKCEVerifier, a.BrowserHash, a.Protocol, a.RequestID, a.LinkMemberID, a.Result,
		a.CreatedAt, a.ExpiresAt)
}

func (s *Store) ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error) {
	return consume(ctx, s, "consume login attempt", fields(func(a *store.LoginAttempt) []any {
		return []any{&a.StateHash, &a.OrgID, &a.Nonce, &a.PKCEVerifier, &a.BrowserHash, &a.Protocol, &a.RequestID,
			&a.LinkMemberID, &a.Result, at(&a.CreatedAt), at(&a.ExpiresAt)}
	}), `UPDATE login_attempts SET used_at = ? WHERE state_hash = ? AND used_at IS NULL
		RETURNING state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id,
		result, created_at, expires_at`, `SELECT COUNT(*) FROM login_attempts WHERE state_hash = ?`, stateHash, now)
}

// consume marks a single-use record used with one conditional UPDATE (update, given now and the key)
// that returns it, so of two callers (or instances) consuming it at once exactly one gets it. When
// the UPDATE changes nothing, counting the rows with the key (counted) tells ErrAlreadyUsed from
// ErrNotFound.
func consume[T any](ctx context.Context, s *Store, op string, scan scanFunc[T], update, counted string, key []byte,
	now time.Time) (T, error) {
	var v T
	err := s.tx(ctx, op, func(tx querier) error {
		var err error
		if v, err = one(ctx, tx, scan, update, now, key); !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch n, err := one(ctx, tx, count, counted, key); {
		case err != nil:
			return err
		case n > 0:
			return store.ErrAlreadyUsed
		}
		return store.ErrNotFound
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
