package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// ListMembers returns every member of the organization, oldest first.
func (s *Store) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	ms, err := members(ctx, s.q(), `WHERE m.org_id = ? ORDER BY m.seq`, orgID)
	return ms, s.mapErr("list members", err)
}

// lockAdmins serializes the organization's admin changes (role changes and removals) by locking its
// row (Dialect.LockParent; inserts that reference the org are not blocked), then counts its active
// admins other than id.
func (s *Store) lockAdmins(ctx context.Context, tx querier, orgID, id string) (int, error) {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM orgs WHERE id = ? `+s.d.LockParent, orgID).Scan(&one); err != nil {
		return 0, err
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id <> ? AND role = ? AND active`,
		orgID, id, string(store.RoleAdmin)).Scan(&n)
	return n, err
}

// SetMemberRole changes a member's role; ErrLastAdmin when it would demote the last active admin.
func (s *Store) SetMemberRole(ctx context.Context, orgID, id string, role store.Role, now time.Time) (store.Member, error) {
	const op = "set member role"
	var m store.Member
	err := s.inTx(ctx, func(tx querier) error {
		others, err := s.lockAdmins(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if m, err = s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.id = ?`, orgID, id); err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && role != store.RoleAdmin && others == 0 {
			return store.ErrLastAdmin
		}
		m.Role, m.UpdatedAt = role, now
		_, err = tx.ExecContext(ctx, `UPDATE members SET role = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			string(role), now, id, orgID)
		return err
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return store.Member{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.Member{}, s.mapErr(op, err)
	}
	return m, nil
}

// RemoveMember deletes a member with its sessions, personal keys, emails, group memberships, link
// tokens and identities; ErrLastAdmin when it is the last active admin.
func (s *Store) RemoveMember(ctx context.Context, orgID, id string) error {
	const op = "remove member"
	err := s.inTx(ctx, func(tx querier) error {
		others, err := s.lockAdmins(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		m, err := s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.id = ?`, orgID, id)
		if err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && m.Active && others == 0 {
			return store.ErrLastAdmin
		}
		return deleteMember(ctx, tx, id)
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.mapErr(op, err)
}

// ListAPIKeys returns the organization's API keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]store.APIKeyUse, error) {
	const op = "list api keys"
	rows, err := s.q().QueryContext(ctx, `SELECT id, org_id, owner_id, prefix, scopes, created_at, last_used_at
		FROM api_keys WHERE org_id = ? ORDER BY created_at DESC, id`, orgID)
	if err != nil {
		return nil, s.mapErr(op, err)
	}
	defer rows.Close()
	var out []store.APIKeyUse
	for rows.Next() {
		var k store.APIKeyUse
		var owner sql.NullString
		var scopes string
		if err := rows.Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &scopes, at(&k.CreatedAt), at(&k.LastUsedAt)); err != nil {
			return nil, s.mapErr(op, err)
		}
		k.OwnerID, k.Scopes = owner.String, strings.Fields(scopes)
		out = append(out, k)
	}
	return out, s.mapErr(op, rows.Err())
}

// RevokeAPIKey deletes an organization's API key.
func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string) error {
	res, err := s.exec(ctx, `DELETE FROM api_keys WHERE id = ? AND org_id = ?`, id, orgID)
	return s.mapErr("revoke api key", affected(res, err))
}

// TouchAPIKey records the key's last use.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, at, id)
	return s.mapErr("touch api key", err)
}

// TouchSession moves a session's expiry.
func (s *Store) TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error {
	_, err := s.exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, expiresAt, hash)
	return s.mapErr("touch session", err)
}

// DeleteSSOConnection removes the organization's SSO connection.
func (s *Store) DeleteSSOConnection(ctx context.Context, orgID string) error {
	res, err := s.exec(ctx, `DELETE FROM sso_connections WHERE org_id = ?`, orgID)
	return s.mapErr("delete sso connection", affected(res, err))
}

// affected turns "no row changed" into sql.ErrNoRows.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
