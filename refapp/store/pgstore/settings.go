package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// ListMembers returns every member of the organization, oldest first.
func (s *Store) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	ms, err := members(ctx, s.pool, `WHERE m.org_id = $1 ORDER BY m.seq`, orgID)
	return ms, mapErr("list members", err)
}

// lockAdmins serializes the organization's admin changes (role changes and
// removals) by locking its row, then counts its active admins other than id.
// FOR NO KEY UPDATE does not block inserts that reference the org.
func lockAdmins(ctx context.Context, tx pgx.Tx, orgID, id string) (int, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM orgs WHERE id = $1 FOR NO KEY UPDATE`, orgID); err != nil {
		return 0, err
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM members WHERE org_id = $1 AND id <> $2 AND role = $3 AND active`,
		orgID, id, string(store.RoleAdmin)).Scan(&n)
	return n, err
}

// SetMemberRole changes a member's role; ErrLastAdmin when it would demote the last active admin.
func (s *Store) SetMemberRole(ctx context.Context, orgID, id string, role store.Role, now time.Time) (store.Member, error) {
	const op = "set member role"
	var m store.Member
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		others, err := lockAdmins(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if m, err = oneMember(ctx, tx, true, `WHERE m.org_id = $1 AND m.id = $2`, orgID, id); err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && role != store.RoleAdmin && others == 0 {
			return store.ErrLastAdmin
		}
		m.Role, m.UpdatedAt = role, now
		_, err = tx.Exec(ctx, `UPDATE members SET role = $1, updated_at = $2 WHERE id = $3 AND org_id = $4`,
			string(role), now, id, orgID)
		return err
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return store.Member{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.Member{}, mapErr(op, err)
	}
	return m, nil
}

// RemoveMember deletes a member with its sessions, personal keys, emails, group memberships, link
// tokens and identities; ErrLastAdmin when it is the last active admin.
func (s *Store) RemoveMember(ctx context.Context, orgID, id string) error {
	const op = "remove member"
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		others, err := lockAdmins(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		m, err := oneMember(ctx, tx, true, `WHERE m.org_id = $1 AND m.id = $2`, orgID, id)
		if err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && m.Active && others == 0 {
			return store.ErrLastAdmin
		}
		return deleteMember(ctx, tx, orgID, id) // link tokens and identities cascade
	})
	if errors.Is(err, store.ErrLastAdmin) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return mapErr(op, err)
}

// ListAPIKeys returns the organization's API keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]store.APIKeyUse, error) {
	const op = "list api keys"
	rows, err := s.pool.Query(ctx, `SELECT id, org_id, owner_id, prefix, scopes, created_at, last_used_at
		FROM api_keys WHERE org_id = $1 ORDER BY created_at DESC, id`, orgID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []store.APIKeyUse
	for rows.Next() {
		var k store.APIKeyUse
		var owner *string
		var used *time.Time
		var scopes string
		if err := rows.Scan(&k.ID, &k.OrgID, &owner, &k.Prefix, &scopes, &k.CreatedAt, &used); err != nil {
			return nil, mapErr(op, err)
		}
		if owner != nil {
			k.OwnerID = *owner
		}
		k.Scopes, k.CreatedAt, k.LastUsedAt = strings.Fields(scopes), utc(k.CreatedAt), utcOrZero(used)
		out = append(out, k)
	}
	return out, mapErr(op, rows.Err())
}

// RevokeAPIKey deletes an organization's API key.
func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1 AND org_id = $2`, id, orgID)
	return mapErr("revoke api key", affected(tag, err))
}

// TouchAPIKey records the key's last use.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, at, id)
	return mapErr("touch api key", err)
}

// TouchSession moves a session's expiry.
func (s *Store) TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET expires_at = $1 WHERE token_hash = $2`, expiresAt, hash)
	return mapErr("touch session", err)
}

// DeleteSSOConnection removes the organization's SSO connection.
func (s *Store) DeleteSSOConnection(ctx context.Context, orgID string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sso_connections WHERE org_id = $1`, orgID)
	return mapErr("delete sso connection", affected(tag, err))
}

// affected turns "no row changed" into pgx.ErrNoRows.
func affected(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	return err
}
