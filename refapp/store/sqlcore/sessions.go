package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (token_hash, member_id, org_id, method, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, se.TokenHash, se.MemberID, se.OrgID, se.Method, se.CreatedAt, se.ExpiresAt)
	return s.mapErr("create session", err)
}

// SessionByHash finds a session by the SHA-256 of its token. Expiry is the caller's check.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	var se store.Session
	err := s.q().QueryRowContext(ctx, `SELECT token_hash, member_id, org_id, method, created_at, expires_at
		FROM sessions WHERE token_hash = ?`, hash).
		Scan(&se.TokenHash, &se.MemberID, &se.OrgID, &se.Method, at(&se.CreatedAt), at(&se.ExpiresAt))
	if err != nil {
		return store.Session{}, s.mapErr("session by hash", err)
	}
	return se, nil
}

// DeleteSession removes a session; deleting an unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	return s.mapErr("delete session", err)
}

// CreateLoginAttempt inserts a pending SSO login.
func (s *Store) CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error {
	_, err := s.exec(ctx, `INSERT INTO login_attempts
		(state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id, result,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.StateHash, a.OrgID, a.Nonce, a.PKCEVerifier, a.BrowserHash, a.Protocol, a.RequestID, a.LinkMemberID, a.Result,
		a.CreatedAt, a.ExpiresAt)
	return s.mapErr("create login attempt", err)
}

// ConsumeLoginAttempt marks a pending SSO login used and returns it: one conditional UPDATE, so of two
// callers (or instances) consuming the same state at once exactly one gets it.
func (s *Store) ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error) {
	const op = "consume login attempt"
	var a store.LoginAttempt
	err := s.inTx(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `UPDATE login_attempts SET used_at = ? WHERE state_hash = ? AND used_at IS NULL
			RETURNING state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id,
			result, created_at, expires_at`, now, stateHash).
			Scan(&a.StateHash, &a.OrgID, &a.Nonce, &a.PKCEVerifier, &a.BrowserHash, &a.Protocol, &a.RequestID,
				&a.LinkMemberID, &a.Result, at(&a.CreatedAt), at(&a.ExpiresAt))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE state_hash = ?`, stateHash).
			Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrAlreadyUsed
		}
		return store.ErrNotFound
	})
	if errors.Is(err, store.ErrAlreadyUsed) || errors.Is(err, store.ErrNotFound) {
		return store.LoginAttempt{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.LoginAttempt{}, s.mapErr(op, err)
	}
	return a, nil
}
