package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, member_id, org_id, method, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, se.TokenHash, se.MemberID, se.OrgID, se.Method, se.CreatedAt, se.ExpiresAt)
	return mapErr("create session", err)
}

// SessionByHash finds a session by the SHA-256 of its token. Expiry is the caller's check.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	var se store.Session
	err := s.pool.QueryRow(ctx, `SELECT token_hash, member_id, org_id, method, created_at, expires_at
		FROM sessions WHERE token_hash = $1`, hash).
		Scan(&se.TokenHash, &se.MemberID, &se.OrgID, &se.Method, &se.CreatedAt, &se.ExpiresAt)
	if err != nil {
		return store.Session{}, mapErr("session by hash", err)
	}
	se.CreatedAt, se.ExpiresAt = utc(se.CreatedAt), utc(se.ExpiresAt)
	return se, nil
}

// DeleteSession removes a session; deleting an unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
	return mapErr("delete session", err)
}

// CreateLoginAttempt inserts a pending SSO login.
func (s *Store) CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_attempts
		(state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id, result,
		created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.StateHash, a.OrgID, a.Nonce, a.PKCEVerifier, a.BrowserHash, a.Protocol, a.RequestID, a.LinkMemberID, a.Result,
		a.CreatedAt, a.ExpiresAt)
	return mapErr("create login attempt", err)
}

// ConsumeLoginAttempt marks a pending SSO login used and returns it: one
// conditional UPDATE, so of two instances consuming the same state at once
// exactly one gets it.
func (s *Store) ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error) {
	const op = "consume login attempt"
	var a store.LoginAttempt
	err := s.pool.QueryRow(ctx, `UPDATE login_attempts SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL
		RETURNING state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id, result,
		created_at, expires_at`, now, stateHash).
		Scan(&a.StateHash, &a.OrgID, &a.Nonce, &a.PKCEVerifier, &a.BrowserHash, &a.Protocol, &a.RequestID,
			&a.LinkMemberID, &a.Result, &a.CreatedAt, &a.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM login_attempts WHERE state_hash = $1`, stateHash).Scan(&n); err != nil {
			return store.LoginAttempt{}, mapErr(op, err)
		}
		if n > 0 {
			return store.LoginAttempt{}, fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
		}
		return store.LoginAttempt{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.LoginAttempt{}, mapErr(op, err)
	}
	a.CreatedAt, a.ExpiresAt = utc(a.CreatedAt), utc(a.ExpiresAt)
	return a, nil
}
