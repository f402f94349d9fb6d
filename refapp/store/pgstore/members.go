package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

const memberCols = `m.id, m.org_id, m.email, m.display_name, m.role, m.password_hash, m.active, m.scim_user_name,
	m.external_id, m.given_name, m.family_name, m.formatted_name, m.emails_json, m.created_at, m.updated_at`

// CreateMember inserts a member; ErrConflict when the email or SCIM userName
// is already used in the organization.
func (s *Store) CreateMember(ctx context.Context, m store.Member) error {
	return mapErr("create member", s.inTx(ctx, func(tx pgx.Tx) error { return insertMember(ctx, tx, m) }))
}

func insertMember(ctx context.Context, q querier, m store.Member) error {
	emails, err := json.Marshal(nonNil(m.Emails))
	if err != nil {
		return fmt.Errorf("encode emails: %w", err)
	}
	_, err = q.Exec(ctx, `INSERT INTO members (id, org_id, email, email_key, display_name, display_key, role,
		password_hash, active, scim_user_name, scim_user_key, external_id, given_name, family_name, formatted_name,
		email_type, emails_json, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		m.ID, m.OrgID, m.Email, key(m.Email), m.DisplayName, key(m.DisplayName), string(m.Role), m.PasswordHash, m.Active,
		nullable(m.SCIMUserName), nullable(key(m.SCIMUserName)), m.ExternalID, m.GivenName, m.FamilyName, m.FormattedName,
		primaryType(m.Emails), string(emails), m.CreatedAt, m.UpdatedAt)
	if err != nil {
		return err
	}
	return insertEmails(ctx, q, m)
}

func insertEmails(ctx context.Context, q querier, m store.Member) error {
	for _, e := range m.Emails {
		if _, err := q.Exec(ctx, `INSERT INTO member_emails (member_id, org_id, value_key) VALUES ($1, $2, $3)`,
			m.ID, m.OrgID, key(e.Value)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMember rewrites every mutable field of the member with m's id and org.
// Saving a member inactive deletes its sessions.
func (s *Store) UpdateMember(ctx context.Context, m store.Member) error {
	return mapErr("update member", s.inTx(ctx, func(tx pgx.Tx) error { return updateMember(ctx, tx, m) }))
}

func updateMember(ctx context.Context, q querier, m store.Member) error {
	emails, err := json.Marshal(nonNil(m.Emails))
	if err != nil {
		return fmt.Errorf("encode emails: %w", err)
	}
	tag, err := q.Exec(ctx, `UPDATE members SET email = $1, email_key = $2, display_name = $3, display_key = $4,
		role = $5, password_hash = $6, active = $7, scim_user_name = $8, scim_user_key = $9, external_id = $10,
		given_name = $11, family_name = $12, formatted_name = $13, email_type = $14, emails_json = $15, updated_at = $16
		WHERE id = $17 AND org_id = $18`,
		m.Email, key(m.Email), m.DisplayName, key(m.DisplayName), string(m.Role), m.PasswordHash, m.Active,
		nullable(m.SCIMUserName), nullable(key(m.SCIMUserName)), m.ExternalID, m.GivenName, m.FamilyName,
		m.FormattedName, primaryType(m.Emails), string(emails), m.UpdatedAt, m.ID, m.OrgID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	if _, err := q.Exec(ctx, `DELETE FROM member_emails WHERE member_id = $1`, m.ID); err != nil {
		return err
	}
	if err := insertEmails(ctx, q, m); err != nil {
		return err
	}
	if !m.Active {
		_, err = q.Exec(ctx, `DELETE FROM sessions WHERE member_id = $1`, m.ID)
	}
	return err
}

// ProvisionMember creates m or links it onto the member with its email that has no SCIM identity.
func (s *Store) ProvisionMember(ctx context.Context, m store.Member) (store.Member, error) {
	const op = "provision member"
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := oneMember(ctx, tx, true, `WHERE m.org_id = $1 AND m.email_key = $2`, m.OrgID, key(m.Email))
		if errors.Is(err, pgx.ErrNoRows) {
			return insertMember(ctx, tx, m)
		}
		if err != nil {
			return err
		}
		if old.SCIMUserName != "" {
			return store.ErrConflict
		}
		m.ID, m.Role, m.PasswordHash, m.CreatedAt = old.ID, old.Role, old.PasswordHash, old.CreatedAt
		return updateMember(ctx, tx, m)
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Member{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.Member{}, mapErr(op, err)
	}
	return m, nil
}

// ModifyMember runs fn on the member in a transaction (the row locked) and saves the result.
func (s *Store) ModifyMember(ctx context.Context, orgID, id string, fn func(*store.Member) error) (store.Member, error) {
	var m store.Member
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if m, err = oneMember(ctx, tx, true, `WHERE m.org_id = $1 AND m.id = $2`, orgID, id); err != nil {
			return err
		}
		if fnErr = fn(&m); fnErr != nil {
			return fnErr
		}
		return updateMember(ctx, tx, m)
	})
	if fnErr != nil {
		return store.Member{}, fnErr
	}
	if err != nil {
		return store.Member{}, mapErr("modify member", err)
	}
	return m, nil
}

// DeleteMember deletes the member, its sessions, personal keys, emails and group memberships.
func (s *Store) DeleteMember(ctx context.Context, orgID, id string) error {
	return mapErr("delete member", s.inTx(ctx, func(tx pgx.Tx) error { return deleteMember(ctx, tx, orgID, id) }))
}

func deleteMember(ctx context.Context, tx pgx.Tx, orgID, id string) error {
	if _, err := oneMember(ctx, tx, true, `WHERE m.org_id = $1 AND m.id = $2`, orgID, id); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM sessions WHERE member_id = $1`, `DELETE FROM api_keys WHERE owner_id = $1`,
		`DELETE FROM member_emails WHERE member_id = $1`, `DELETE FROM team_members WHERE member_id = $1`,
		`DELETE FROM members WHERE id = $1`} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// MemberByID finds a member of the organization by id.
func (s *Store) MemberByID(ctx context.Context, orgID, id string) (store.Member, error) {
	m, err := oneMember(ctx, s.pool, false, `WHERE m.org_id = $1 AND m.id = $2`, orgID, id)
	return m, mapErr("member by id", err)
}

// MemberByEmail finds a member of the organization by email, case-insensitively.
func (s *Store) MemberByEmail(ctx context.Context, orgID, email string) (store.Member, error) {
	m, err := oneMember(ctx, s.pool, false, `WHERE m.org_id = $1 AND m.email_key = $2`, orgID, key(email))
	return m, mapErr("member by email", err)
}

// MemberBySCIMUserName finds a member of the organization by SCIM userName, case-insensitively.
func (s *Store) MemberBySCIMUserName(ctx context.Context, orgID, userName string) (store.Member, error) {
	m, err := oneMember(ctx, s.pool, false, `WHERE m.org_id = $1 AND m.scim_user_key = $2`, orgID, key(userName))
	return m, mapErr("member by scim userName", err)
}

// MembersByEmail returns the members with that email in every organization, oldest first.
func (s *Store) MembersByEmail(ctx context.Context, email string) ([]store.Member, error) {
	ms, err := members(ctx, s.pool, `WHERE m.email_key = $1 ORDER BY m.seq`, key(email))
	return ms, mapErr("members by email", err)
}

// ListSCIMMembers pages through the organization's members that have a SCIM identity.
func (s *Store) ListSCIMMembers(ctx context.Context, orgID string, q store.Query) ([]store.Member, int, error) {
	const op = "list scim members"
	var a params
	where := `WHERE m.org_id = ` + a.add(orgID) + ` AND m.scim_user_key IS NOT NULL AND `
	cond, err := compile(q.Filter, sqlfilter.MemberAttrs, orgID, &a)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	where += cond
	var ms []store.Member
	total := -1
	if q.Limit > 0 {
		page := a.clone()
		rows, err := s.pool.Query(ctx, `SELECT `+memberCols+`, COUNT(*) OVER () FROM members m `+where+
			` ORDER BY m.seq LIMIT `+page.add(q.Limit)+` OFFSET `+page.add(q.Offset), page.vals...)
		if err != nil {
			return nil, 0, mapErr(op, err)
		}
		if ms, total, err = scanMembers(rows, true); err != nil {
			return nil, 0, mapErr(op, err)
		}
	}
	if total < 0 { // no page asked for, or the page is past the end
		if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM members m `+where, a.vals...).Scan(&total); err != nil {
			return nil, 0, mapErr(op, err)
		}
	}
	return ms, total, nil
}

// oneMember reads the first member matching where; forUpdate locks its row until the transaction ends.
func oneMember(ctx context.Context, q querier, forUpdate bool, where string, args ...any) (store.Member, error) {
	where += ` LIMIT 1`
	if forUpdate {
		where += ` FOR UPDATE`
	}
	ms, err := members(ctx, q, where, args...)
	if err != nil {
		return store.Member{}, err
	}
	if len(ms) == 0 {
		return store.Member{}, pgx.ErrNoRows
	}
	return ms[0], nil
}

func members(ctx context.Context, q querier, where string, args ...any) ([]store.Member, error) {
	rows, err := q.Query(ctx, `SELECT `+memberCols+` FROM members m `+where, args...)
	if err != nil {
		return nil, err
	}
	ms, _, err := scanMembers(rows, false)
	return ms, err
}

// scanMembers reads every row; withTotal reads a trailing window COUNT (-1 when there are no rows).
func scanMembers(rows pgx.Rows, withTotal bool) ([]store.Member, int, error) {
	defer rows.Close()
	var out []store.Member
	total := -1
	for rows.Next() {
		var m store.Member
		var role, emails string
		var userName *string
		var count int64
		dest := []any{&m.ID, &m.OrgID, &m.Email, &m.DisplayName, &role, &m.PasswordHash, &m.Active, &userName,
			&m.ExternalID, &m.GivenName, &m.FamilyName, &m.FormattedName, &emails, &m.CreatedAt, &m.UpdatedAt}
		if withTotal {
			dest = append(dest, &count)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, err
		}
		if withTotal {
			total = int(count)
		}
		m.Role = store.Role(role)
		if userName != nil {
			m.SCIMUserName = *userName
		}
		if err := json.Unmarshal([]byte(emails), &m.Emails); err != nil {
			return nil, 0, fmt.Errorf("decode stored emails: %w", err)
		}
		if len(m.Emails) == 0 {
			m.Emails = nil
		}
		m.CreatedAt, m.UpdatedAt = utc(m.CreatedAt), utc(m.UpdatedAt)
		out = append(out, m)
	}
	return out, total, rows.Err()
}

func nonNil(es []store.Email) []store.Email {
	if es == nil {
		return []store.Email{}
	}
	return es
}

func primaryType(es []store.Email) string {
	for _, e := range es {
		if e.Primary {
			return e.Type
		}
	}
	return ""
}

// ImportMembers inserts many members in one transaction (seeding large
// organizations for benchmarks and imports); all or none. It is not part of
// store.Store.
func (s *Store) ImportMembers(ctx context.Context, ms []store.Member) error {
	return mapErr("import members", s.inTx(ctx, func(tx pgx.Tx) error {
		for _, m := range ms {
			if err := insertMember(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
}
