package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) CreateMember(ctx context.Context, m store.Member) error {
	return s.tx(ctx, "create member", func(tx querier) error { return s.insertMember(ctx, tx, m) })
}

func (s *Store) insertMember(ctx context.Context, q querier, m store.Member) error {
	emails, err := json.Marshal(nonNil(m.Emails))
	if err != nil {
		return fmt.Errorf("encode emails: %w", err)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO members (id, org_id, email, email_key, display_name, display_key, role,
		password_hash, active, scim_user_name, scim_user_key, external_id, given_name, family_name, formatted_name,
		email_type, emails_json, created_at, updated_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+s.d.NextSeq("members")+`)`,
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
		if _, err := q.ExecContext(ctx, `INSERT INTO member_emails (member_id, org_id, value_key) VALUES (?, ?, ?)`,
			m.ID, m.OrgID, key(e.Value)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMember rewrites every mutable field of the member with m's id and org; saving it inactive deletes its sessions.
func (s *Store) UpdateMember(ctx context.Context, m store.Member) error {
	return s.tx(ctx, "update member", func(tx querier) error { return updateMember(ctx, tx, m) })
}

func updateMember(ctx context.Context, q querier, m store.Member) error {
	emails, err := json.Marshal(nonNil(m.Emails))
	if err != nil {
		return fmt.Errorf("encode emails: %w", err)
	}
	if err := execOne(ctx, q, `UPDATE members SET email = ?, email_key = ?, display_name = ?, display_key = ?,
		role = ?, password_hash = ?, active = ?, scim_user_name = ?, scim_user_key = ?, external_id = ?, given_name = ?,
		family_name = ?, formatted_name = ?, email_type = ?, emails_json = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		m.Email, key(m.Email), m.DisplayName, key(m.DisplayName), string(m.Role), m.PasswordHash, m.Active,
		nullable(m.SCIMUserName), nullable(key(m.SCIMUserName)), m.ExternalID, m.GivenName, m.FamilyName,
		m.FormattedName, primaryType(m.Emails), string(emails), m.UpdatedAt, m.ID, m.OrgID); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM member_emails WHERE member_id = ?`, m.ID); err != nil {
		return err
	}
	if err := insertEmails(ctx, q, m); err != nil {
		return err
	}
	if !m.Active {
		_, err = q.ExecContext(ctx, `DELETE FROM sessions WHERE member_id = ?`, m.ID)
	}
	return err
}

func (s *Store) ProvisionMember(ctx context.Context, m store.Member) (store.Member, error) {
	err := s.tx(ctx, "provision member", func(tx querier) error {
		old, err := s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.email_key = ?`, m.OrgID, key(m.Email))
		if errors.Is(err, sql.ErrNoRows) {
			return s.insertMember(ctx, tx, m)
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
	if err != nil {
		return store.Member{}, err
	}
	return m, nil
}

func (s *Store) ModifyMember(ctx context.Context, orgID, id string, fn func(*store.Member) error) (store.Member, error) {
	var m store.Member
	var fnErr error
	err := s.tx(ctx, "modify member", func(tx querier) error {
		var err error
		if m, err = s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.id = ?`, orgID, id); err != nil {
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
	return m, err
}

func (s *Store) DeleteMember(ctx context.Context, orgID, id string) error {
	return s.tx(ctx, "delete member", func(tx querier) error {
		if _, err := s.oneMember(ctx, tx, true, `WHERE m.org_id = ? AND m.id = ?`, orgID, id); err != nil {
			return err
		}
		return deleteMember(ctx, tx, id)
	})
}

// deleteMember deletes the member with id and every row that names it.
func deleteMember(ctx context.Context, tx querier, id string) error {
	for _, q := range []string{`DELETE FROM sessions WHERE member_id = ?`, `DELETE FROM api_keys WHERE owner_id = ?`,
		`DELETE FROM member_emails WHERE member_id = ?`, `DELETE FROM team_members WHERE member_id = ?`,
		`DELETE FROM link_tokens WHERE member_id = ?`, `DELETE FROM sso_identities WHERE member_id = ?`,
		`DELETE FROM members WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) MemberByID(ctx context.Context, orgID, id string) (store.Member, error) {
	m, err := s.oneMember(ctx, s.q(), false, `WHERE m.org_id = ? AND m.id = ?`, orgID, id)
	return m, s.mapErr("member by id", err)
}

func (s *Store) MemberByEmail(ctx context.Context, orgID, email string) (store.Member, error) {
	m, err := s.oneMember(ctx, s.q(), false, `WHERE m.org_id = ? AND m.email_key = ?`, orgID, key(email))
	return m, s.mapErr("member by email", err)
}

func (s *Store) MemberBySCIMUserName(ctx context.Context, orgID, userName string) (store.Member, error) {
	m, err := s.oneMember(ctx, s.q(), false, `WHERE m.org_id = ? AND m.scim_user_key = ?`, orgID, key(userName))
	return m, s.mapErr("member by scim userName", err)
}

func (s *Store) MembersByEmail(ctx context.Context, email string) ([]store.Member, error) {
	return list(ctx, s, "members by email", scanMember,
		`SELECT `+memberCols+` FROM members m WHERE m.email_key = ? ORDER BY m.seq`, key(email))
}

func (s *Store) ListSCIMMembers(ctx context.Context, orgID string, q store.Query) ([]store.Member, int, error) {
	const op = "list scim members"
	where, args, err := compile(&s.d, q.Filter, memberAttrs, orgID)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	from := `FROM members m WHERE m.org_id = ? AND m.scim_user_key IS NOT NULL AND ` + where
	args = append([]any{orgID}, args...)
	var ms []store.Member
	total := -1
	if q.Limit > 0 {
		if ms, err = list(ctx, s, op, scanMemberAnd(&total), `SELECT `+memberCols+`, COUNT(*) OVER () `+from+
			` ORDER BY m.seq LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...); err != nil {
			return nil, 0, err
		}
		if total < 0 && q.Offset == 0 { // an empty first page: nothing matches (Okta's push lookup)
			total = 0
		}
	}
	if total < 0 { // no page asked for, or the page is past the end
		if total, err = get(ctx, s, op, count, `SELECT COUNT(*) `+from, args...); err != nil {
			return nil, 0, err
		}
	}
	return ms, total, nil
}

// oneMember reads the first member matching where; lock locks its row until the transaction ends
// (Dialect.LockRow).
func (s *Store) oneMember(ctx context.Context, q querier, lock bool, where string, args ...any) (store.Member, error) {
	where += ` LIMIT 1`
	if lock {
		where += ` ` + s.d.LockRow
	}
	return one(ctx, q, scanMember, `SELECT `+memberCols+` FROM members m `+where, args...)
}

const memberCols = `m.id, m.org_id, m.email, m.display_name, m.role, m.password_hash, m.active,
	COALESCE(m.scim_user_name, ''), m.external_id, m.given_name, m.family_name, m.formatted_name, m.emails_json,
	m.created_at, m.updated_at`

// scanMember reads memberCols.
var scanMember = scanMemberAnd()

// scanMemberAnd reads memberCols, then the columns that follow them into extra.
func scanMemberAnd(extra ...any) scanFunc[store.Member] {
	return func(sc scanner) (store.Member, error) {
		var m store.Member
		var emails string
		err := sc.Scan(append([]any{&m.ID, &m.OrgID, &m.Email, &m.DisplayName, &m.Role, &m.PasswordHash, &m.Active,
			&m.SCIMUserName, &m.ExternalID, &m.GivenName, &m.FamilyName, &m.FormattedName, &emails, at(&m.CreatedAt),
			at(&m.UpdatedAt)}, extra...)...)
		if err != nil {
			return store.Member{}, err
		}
		if err := json.Unmarshal([]byte(emails), &m.Emails); err != nil {
			return store.Member{}, fmt.Errorf("decode stored emails: %w", err)
		}
		if len(m.Emails) == 0 {
			m.Emails = nil
		}
		return m, nil
	}
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

// ImportMembers inserts many members in one transaction (seeding large organizations for benchmarks and
// imports); all or none. It is not part of store.Store.
func (s *Store) ImportMembers(ctx context.Context, ms []store.Member) error {
	return s.tx(ctx, "import members", func(tx querier) error {
		for _, m := range ms {
			if err := s.insertMember(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}
