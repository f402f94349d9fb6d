package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

const groupCols = `t.id, t.org_id, t.display_name, t.external_id, t.created_at, t.updated_at`

// CreateGroup inserts a group (a team) with its members.
func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	return s.mapErr("create group", s.inTx(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO teams (id, org_id, display_name, display_key, external_id, created_at,
			updated_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, `+s.d.NextSeq("teams")+`)`,
			g.ID, g.OrgID, g.DisplayName, key(g.DisplayName), g.ExternalID, g.CreatedAt, g.UpdatedAt)
		if err != nil {
			return err
		}
		return insertGroupMembers(ctx, tx, g)
	}))
}

// insertGroupMembers adds g's members in order, skipping repeats; a member id
// that is not in g's organization is ErrInvalidReference.
func insertGroupMembers(ctx context.Context, tx querier, g store.Group) error {
	seen := make(map[string]bool, len(g.Members))
	for i, gm := range g.Members {
		if seen[gm.ID] {
			continue
		}
		seen[gm.ID] = true
		res, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, member_id, position)
			SELECT ?, id, ? FROM members WHERE id = ? AND org_id = ?`, g.ID, i, gm.ID, g.OrgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("member %q: %w", gm.ID, store.ErrInvalidReference)
		}
	}
	return nil
}

// GroupByID finds a group of the organization by id, with its members.
func (s *Store) GroupByID(ctx context.Context, orgID, id string) (store.Group, error) {
	g, err := s.oneGroup(ctx, s.q(), false, orgID, id)
	return g, s.mapErr("group by id", err)
}

// ListGroups pages through the organization's groups, in creation order.
func (s *Store) ListGroups(ctx context.Context, orgID string, q store.Query) ([]store.Group, int, error) {
	const op = "list groups"
	where, args, err := s.compile(q.Filter, sqlfilter.GroupAttrs, orgID)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	where = `WHERE t.org_id = ? AND ` + where
	args = append([]any{orgID}, args...)
	var total int
	if err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM teams t `+where, args...).Scan(&total); err != nil {
		return nil, 0, s.mapErr(op, err)
	}
	if q.Limit <= 0 || q.Offset >= total {
		return nil, total, nil
	}
	gs, err := groups(ctx, s.q(), where+` ORDER BY t.seq LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	return gs, total, s.mapErr(op, err)
}

// ModifyGroup runs fn on the group in a transaction and saves it.
func (s *Store) ModifyGroup(ctx context.Context, orgID, id string, fn func(*store.Group) error) (store.Group, error) {
	var g store.Group
	var fnErr error
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		if g, err = s.oneGroup(ctx, tx, true, orgID, id); err != nil {
			return err
		}
		if fnErr = fn(&g); fnErr != nil {
			return fnErr
		}
		g.ID, g.OrgID = id, orgID
		res, err := tx.ExecContext(ctx, `UPDATE teams SET display_name = ?, display_key = ?, external_id = ?,
			updated_at = ? WHERE id = ? AND org_id = ?`, g.DisplayName, key(g.DisplayName), g.ExternalID,
			g.UpdatedAt, id, orgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return sql.ErrNoRows
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, id); err != nil {
			return err
		}
		if err := insertGroupMembers(ctx, tx, g); err != nil {
			return err
		}
		g, err = s.oneGroup(ctx, tx, false, orgID, id) // fresh member displays
		return err
	})
	if fnErr != nil {
		return store.Group{}, fnErr
	}
	if err != nil {
		return store.Group{}, s.mapErr("modify group", err)
	}
	return g, nil
}

// DeleteGroup deletes a group and its memberships; the members stay.
func (s *Store) DeleteGroup(ctx context.Context, orgID, id string) error {
	return s.mapErr("delete group", s.inTx(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, id)
		return err
	}))
}

// oneGroup reads a group; lock locks its row until the transaction ends (Dialect.LockRow).
func (s *Store) oneGroup(ctx context.Context, q querier, lock bool, orgID, id string) (store.Group, error) {
	where := `WHERE t.org_id = ? AND t.id = ?`
	if lock {
		where += ` ` + s.d.LockRow
	}
	gs, err := groups(ctx, q, where, orgID, id)
	if err != nil {
		return store.Group{}, err
	}
	if len(gs) == 0 {
		return store.Group{}, sql.ErrNoRows
	}
	return gs[0], nil
}

// groups reads the selected groups, then their members in one more query.
func groups(ctx context.Context, q querier, where string, args ...any) ([]store.Group, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+groupCols+` FROM teams t `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []store.Group
	byID := map[string]int{}
	for rows.Next() {
		var g store.Group
		if err := rows.Scan(&g.ID, &g.OrgID, &g.DisplayName, &g.ExternalID, at(&g.CreatedAt), at(&g.UpdatedAt)); err != nil {
			rows.Close()
			return nil, err
		}
		byID[g.ID] = len(out)
		out = append(out, g)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(out) == 0 {
		return out, err
	}
	return out, groupMembers(ctx, q, out, byID)
}

func groupMembers(ctx context.Context, q querier, gs []store.Group, byID map[string]int) error {
	ids := make([]any, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT tm.team_id, m.id, COALESCE(m.scim_user_name, m.email)
		FROM team_members tm JOIN members m ON m.id = tm.member_id
		WHERE tm.team_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY tm.team_id, tm.position`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var teamID string
		var gm store.GroupMember
		if err := rows.Scan(&teamID, &gm.ID, &gm.Display); err != nil {
			return err
		}
		i := byID[teamID]
		gs[i].Members = append(gs[i].Members, gm)
	}
	return rows.Err()
}
