package sqlstore

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
		VALUES (?, ?, ?, ?, ?, ?)`, se.TokenHash, se.MemberID, se.OrgID, se.Method, fmtTime(se.CreatedAt), fmtTime(se.ExpiresAt))
	return mapErr("create session", err)
}

// SessionByHash finds a session by the SHA-256 of its token. Expiry is the caller's check.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	var se store.Session
	var created, expires string
	err := s.q().QueryRowContext(ctx, `SELECT token_hash, member_id, org_id, method, created_at, expires_at
		FROM sessions WHERE token_hash = ?`, hash).Scan(&se.TokenHash, &se.MemberID, &se.OrgID, &se.Method, &created, &expires)
	if err != nil {
		return store.Session{}, mapErr("session by hash", err)
	}
	if se.CreatedAt, err = parseTime(created); err != nil {
		return store.Session{}, mapErr("session by hash", err)
	}
	se.ExpiresAt, err = parseTime(expires)
	return se, mapErr("session by hash", err)
}

// DeleteSession removes a session; deleting an unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	return mapErr("delete session", err)
}

// CreateLoginAttempt inserts a pending SSO login.
func (s *Store) CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error {
	_, err := s.exec(ctx, `INSERT INTO login_attempts
		(state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol, request_id, link_member_id, result,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.StateHash, a.OrgID, a.Nonce, a.PKCEVerifier, a.BrowserHash, a.Protocol, a.RequestID, a.LinkMemberID, a.Result,
		fmtTime(a.CreatedAt), fmtTime(a.ExpiresAt))
	return mapErr("create login attempt", err)
}

// ConsumeLoginAttempt marks a pending SSO login used, atomically, and returns it.
func (s *Store) ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error) {
	const op = "consume login attempt"
	var a store.LoginAttempt
	err := s.inTx(ctx, func(tx querier) error {
		var created, expires string
		var used sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT state_hash, org_id, nonce, pkce_verifier, browser_hash, protocol,
			request_id, link_member_id, result, created_at, expires_at, used_at FROM login_attempts WHERE state_hash = ?`,
			stateHash).Scan(&a.StateHash, &a.OrgID, &a.Nonce, &a.PKCEVerifier, &a.BrowserHash, &a.Protocol,
			&a.RequestID, &a.LinkMemberID, &a.Result, &created, &expires, &used)
		if err != nil {
			return err
		}
		if used.Valid {
			return store.ErrAlreadyUsed
		}
		if a.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		if a.ExpiresAt, err = parseTime(expires); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE login_attempts SET used_at = ? WHERE state_hash = ?`, fmtTime(now), stateHash)
		return err
	})
	if errors.Is(err, store.ErrAlreadyUsed) {
		return store.LoginAttempt{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.LoginAttempt{}, mapErr(op, err)
	}
	return a, nil
}
