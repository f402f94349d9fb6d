package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

const memberCols = `id, org_id, email, display_name, role, password_hash, active, scim_user_name,
	external_id, given_name, family_name, email_type, created_at, updated_at`

// CreateMember inserts a member; ErrConflict when the email or SCIM userName
// is already used in the organization.
func (s *Store) CreateMember(ctx context.Context, m store.Member) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO members (`+memberCols+`, email_key, scim_user_key, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		(SELECT COALESCE(MAX(seq), 0) + 1 FROM members))`,
		m.ID, m.OrgID, m.Email, m.DisplayName, string(m.Role), m.PasswordHash, m.Active, nullable(m.SCIMUserName),
		m.ExternalID, m.GivenName, m.FamilyName, m.EmailType, fmtTime(m.CreatedAt), fmtTime(m.UpdatedAt),
		key(m.Email), nullable(key(m.SCIMUserName)))
	return mapErr("create member", err)
}

// UpdateMember rewrites every mutable field of the member with m's id and org.
func (s *Store) UpdateMember(ctx context.Context, m store.Member) error {
	res, err := s.db.ExecContext(ctx, `UPDATE members SET email = ?, email_key = ?, display_name = ?, role = ?,
		password_hash = ?, active = ?, scim_user_name = ?, scim_user_key = ?, external_id = ?, given_name = ?,
		family_name = ?, email_type = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		m.Email, key(m.Email), m.DisplayName, string(m.Role), m.PasswordHash, m.Active, nullable(m.SCIMUserName),
		nullable(key(m.SCIMUserName)), m.ExternalID, m.GivenName, m.FamilyName, m.EmailType, fmtTime(m.UpdatedAt),
		m.ID, m.OrgID)
	if err != nil {
		return mapErr("update member", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return mapErr("update member", sql.ErrNoRows)
	}
	return nil
}

// MemberByID finds a member of the organization by id.
func (s *Store) MemberByID(ctx context.Context, orgID, id string) (store.Member, error) {
	return s.oneMember(ctx, "member by id", `WHERE org_id = ? AND id = ?`, orgID, id)
}

// MemberByEmail finds a member of the organization by email, case-insensitively.
func (s *Store) MemberByEmail(ctx context.Context, orgID, email string) (store.Member, error) {
	return s.oneMember(ctx, "member by email", `WHERE org_id = ? AND email_key = ?`, orgID, key(email))
}

// MemberBySCIMUserName finds a member of the organization by SCIM userName, case-insensitively.
func (s *Store) MemberBySCIMUserName(ctx context.Context, orgID, userName string) (store.Member, error) {
	return s.oneMember(ctx, "member by scim userName", `WHERE org_id = ? AND scim_user_key = ?`, orgID, key(userName))
}

// MembersByEmail returns the members with that email in every organization, oldest first.
func (s *Store) MembersByEmail(ctx context.Context, email string) ([]store.Member, error) {
	return s.members(ctx, "members by email", `WHERE email_key = ? ORDER BY seq`, key(email))
}

// ListSCIMMembers pages through the organization's members that have a SCIM identity.
func (s *Store) ListSCIMMembers(ctx context.Context, orgID string, offset, limit int) ([]store.Member, int, error) {
	var total int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE org_id = ? AND scim_user_key IS NOT NULL`, orgID).
		Scan(&total)
	if err != nil {
		return nil, 0, mapErr("count scim members", err)
	}
	ms, err := s.members(ctx, "list scim members",
		`WHERE org_id = ? AND scim_user_key IS NOT NULL ORDER BY seq LIMIT ? OFFSET ?`, orgID, limit, offset)
	return ms, total, err
}

func (s *Store) oneMember(ctx context.Context, op, where string, args ...any) (store.Member, error) {
	ms, err := s.members(ctx, op, where+` LIMIT 1`, args...)
	if err != nil {
		return store.Member{}, err
	}
	if len(ms) == 0 {
		return store.Member{}, mapErr(op, sql.ErrNoRows)
	}
	return ms[0], nil
}

func (s *Store) members(ctx context.Context, op, where string, args ...any) ([]store.Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+memberCols+` FROM members `+where, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []store.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, m)
	}
	return out, mapErr(op, rows.Err())
}

func scanMember(rows *sql.Rows) (store.Member, error) {
	var m store.Member
	var role, created, updated string
	var userName sql.NullString
	err := rows.Scan(&m.ID, &m.OrgID, &m.Email, &m.DisplayName, &role, &m.PasswordHash, &m.Active, &userName,
		&m.ExternalID, &m.GivenName, &m.FamilyName, &m.EmailType, &created, &updated)
	if err != nil {
		return store.Member{}, err
	}
	m.Role = store.Role(role)
	m.SCIMUserName = userName.String
	if m.CreatedAt, err = parseTime(created); err != nil {
		return store.Member{}, err
	}
	if m.UpdatedAt, err = parseTime(updated); err != nil {
		return store.Member{}, err
	}
	return m, nil
}
