package sqlstore

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
	return ms, mapErr("list members", err)
}

// otherAdmins counts the organization's active admins other than id.
func otherAdmins(ctx context.Context, q querier, orgID, id string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id <> ? AND role = ? AND active = 1`,
		orgID, id, string(store.RoleAdmin)).Scan(&n)
	return n, err
}

// SetMemberRole changes a member's role; ErrLastAdmin when it would demote the last active admin.
func (s *Store) SetMemberRole(ctx context.Context, orgID, id string, role store.Role, now time.Time) (store.Member, error) {
	const op = "set member role"
	var m store.Member
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		if m, err = oneMember(ctx, tx, `WHERE m.org_id = ? AND m.id = ?`, orgID, id); err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && role != store.RoleAdmin {
			n, err := otherAdmins(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if n == 0 {
				return store.ErrLastAdmin
			}
		}
		m.Role, m.UpdatedAt = role, now
		_, err = tx.ExecContext(ctx, `UPDATE members SET role = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			string(role), fmtTime(now), id, orgID)
		return err
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return store.Member{}, fmt.Errorf("%s: %w", op, err)
	}
	return m, mapErr(op, err)
}

// RemoveMember deletes a member with its sessions, personal keys, emails, group memberships and link
// tokens; ErrLastAdmin when it is the last active admin.
func (s *Store) RemoveMember(ctx context.Context, orgID, id string) error {
	const op = "remove member"
	err := s.inTx(ctx, func(tx querier) error {
		m, err := oneMember(ctx, tx, `WHERE m.org_id = ? AND m.id = ?`, orgID, id)
		if err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && m.Active {
			n, err := otherAdmins(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if n == 0 {
				return store.ErrLastAdmin
			}
		}
		for _, q := range []string{`DELETE FROM sessions WHERE member_id = ?`, `DELETE FROM api_keys WHERE owner_id = ?`,
			`DELETE FROM member_emails WHERE member_id = ?`, `DELETE FROM team_members WHERE member_id = ?`,
			`DELETE FROM link_tokens WHERE member_id = ?`, `DELETE FROM sso_identities WHERE member_id = ?`,
			`DELETE FROM members WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return mapErr(op, err)
}

// ListAPIKeys returns the organization's API keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]store.APIKeyUse, error) {
	const op = "list api keys"
	rows, err := s.q().QueryContext(ctx, `SELECT id, org_id, owner_id, prefix, scopes, created_at, last_used_at
		FROM api_keys WHERE org_id = ? ORDER BY created_at DESC, id`, orgID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []store.APIKeyUse
	for rows.Next() {
		var k store.APIKeyUse
		var owner, used sql.NullString
		var scopes, created string
		if err := rows.Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &scopes, &created, &used); err != nil {
			return nil, mapErr(op, err)
		}
		k.OwnerID, k.Scopes = owner.String, strings.Fields(scopes)
		if k.CreatedAt, err = parseTime(created); err != nil {
			return nil, mapErr(op, err)
		}
		if used.Valid {
			if k.LastUsedAt, err = parseTime(used.String); err != nil {
				return nil, mapErr(op, err)
			}
		}
		out = append(out, k)
	}
	return out, mapErr(op, rows.Err())
}

// RevokeAPIKey deletes an organization's API key.
func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string) error {
	res, err := s.exec(ctx, `DELETE FROM api_keys WHERE id = ? AND org_id = ?`, id, orgID)
	return mapErr("revoke api key", affected(res, err))
}

// TouchAPIKey records the key's last use.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, fmtTime(at), id)
	return mapErr("touch api key", err)
}

// TouchSession moves a session's expiry.
func (s *Store) TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error {
	_, err := s.exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, fmtTime(expiresAt), hash)
	return mapErr("touch session", err)
}

// DeleteSSOConnection removes the organization's SSO connection.
func (s *Store) DeleteSSOConnection(ctx context.Context, orgID string) error {
	res, err := s.exec(ctx, `DELETE FROM sso_connections WHERE org_id = ?`, orgID)
	return mapErr("delete sso connection", affected(res, err))
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
