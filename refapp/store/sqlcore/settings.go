package sqlcore

import (
	"context"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	return list(ctx, s, "list members", scanMember,
		`SELECT `+memberCols+` FROM members m WHERE m.org_id = ? ORDER BY m.seq`, orgID)
}

// lockAdmins serializes the organization's admin changes (role changes and removals) by locking its
// row (Dialect.LockParent; inserts that reference the org are not blocked), then reads the member id
// (locked) and counts the org's active admins other than it.
func (s *Store) lockAdmins(ctx context.Context, tx querier, orgID, id string) (store.Member, int, error) {
	if _, err := one(ctx, tx, count, `SELECT 1 FROM orgs WHERE id = ? `+s.d.LockParent, orgID); err != nil {
		return store.Member{}, 0, err
	}
	n, err := one(ctx, tx, count, `SELECT COUNT(*) FROM members WHERE org_id = ? AND id <> ? AND role = ? AND active`,
		orgID, id, string(store.RoleAdmin))
	if err != nil {
		return store.Member{}, 0, err
	}
	m, err := s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.id = ?`, orgID, id)
	return m, n, err
}

func (s *Store) SetMemberRole(ctx context.Context, orgID, id string, role store.Role, now time.Time) (store.Member, error) {
	var m store.Member
	err := s.tx(ctx, "set member role", func(tx querier) error {
		var others int
		var err error
		if m, others, err = s.lockAdmins(ctx, tx, orgID, id); err != nil {
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
	if err != nil {
		return store.Member{}, err
	}
	return m, nil
}

func (s *Store) RemoveMember(ctx context.Context, orgID, id string) error {
	return s.tx(ctx, "remove member", func(tx querier) error {
		m, others, err := s.lockAdmins(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if m.Role == store.RoleAdmin && m.Active && others == 0 {
			return store.ErrLastAdmin
		}
		return deleteMember(ctx, tx, id)
	})
}

func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]store.APIKeyUse, error) {
	return list(ctx, s, "list api keys", func(sc scanner) (k store.APIKeyUse, err error) {
		var scopes string
		err = sc.Scan(append(keyDest(&k.APIKey, &scopes), at(&k.LastUsedAt))...)
		k.Scopes = strings.Fields(scopes)
		return k, err
	}, `SELECT `+keyCols+`, k.last_used_at FROM api_keys k WHERE k.org_id = ? ORDER BY k.created_at DESC, k.id`, orgID)
}

func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string) error {
	return s.writeOne(ctx, "revoke api key", `DELETE FROM api_keys WHERE id = ? AND org_id = ?`, id, orgID)
}

func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, "touch api key", `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, at, id)
}

func (s *Store) TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error {
	return s.write(ctx, "touch session", `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, expiresAt, hash)
}

func (s *Store) DeleteSSOConnection(ctx context.Context, orgID string) error {
	return s.writeOne(ctx, "delete sso connection", `DELETE FROM sso_connections WHERE org_id = ?`, orgID)
}
